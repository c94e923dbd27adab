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
