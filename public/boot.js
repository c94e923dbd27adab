// Starts the wasm app. Kept out of index.html so the content security policy can forbid inline
// scripts. If the module cannot load (very old browser, blocked wasm), say so instead of a blank page.
import init from "/pkg/pixelgrad.js";

const boot = document.getElementById("boot");
try {
  await init({ module_or_path: "/pkg/pixelgrad_bg.wasm" });
  boot?.remove();
} catch (error) {
  if (boot) {
    boot.classList.add("boot-error");
    boot.textContent =
      "pixelgrad could not start in this browser: " + error +
      ". It needs WebAssembly; a recent Chrome, Edge, Firefox or Safari works.";
  }
  throw error;
}

// Buttons of the panic panel (see app/src/panic_panel.rs): plain JS, because the wasm module has
// stopped by the time they are clicked.
document.addEventListener("click", async (event) => {
  const action = event.target?.closest?.("[data-action]")?.dataset.action;
  if (action === "copy-report") {
    const text = document.getElementById("panic-report")?.textContent ?? "";
    try {
      await navigator.clipboard.writeText(text);
      event.target.textContent = "Copied";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(document.getElementById("panic-report"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      event.target.textContent = "Selected: press Ctrl+C";
    }
  } else if (action === "reload") {
    location.reload();
  }
});
