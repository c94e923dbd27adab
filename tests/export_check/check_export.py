"""Checks pixelgrad's PyTorch export against PyTorch. Run by hand where PyTorch is installed
(not in CI), from the repository root:

    python tests/export_check/check_export.py [--out DIR] [--skip-cargo]

1. `cargo test -p pixelgrad --test export_check -- --ignored` trains each checked model a few
   steps on MNIST and exports it (model.safetensors, model.py, train.py, ...) with 32 test
   images and pixelgrad's logits for them.
2. For each export: model.py + model.safetensors must give pixelgrad's logits (max abs error
   < 1e-4), and `torchrun --nproc_per_node=2 train.py` must run two steps on CPU (gloo).
3. Where `onnx` and `onnxruntime` are installed: model.onnx passes `onnx.checker` and
   onnxruntime gives the same logits (< 1e-4).
"""
import argparse
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile

import torch

TOLERANCE = 1e-4
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "public", "data", "mnist.safetensors")


def import_from(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_logits(folder):
    sys.path.insert(0, folder)
    try:
        sys.modules.pop("model", None)
        model_py = import_from(os.path.join(folder, "model.py"), "model")
        model = model_py.load_weights(model_py.build_model(), os.path.join(folder, "model.safetensors"))
        model.eval()
        check = model_py.read_safetensors(os.path.join(folder, "check.safetensors"))
        with torch.no_grad():
            logits = model(check["images"])
        return (logits - check["logits"]).abs().max().item()
    finally:
        sys.path.remove(folder)


def check_onnx(folder):
    """Max logit error of model.onnx under onnxruntime, or None when not checked."""
    path = os.path.join(folder, "model.onnx")
    if not os.path.exists(path):
        return None  # a family without an ONNX graph yet
    try:
        import onnx
        import onnxruntime
    except ImportError:
        return None
    onnx.checker.check_model(onnx.load(path), full_check=True)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    check = import_from(os.path.join(folder, "model.py"), "model_for_onnx").read_safetensors(
        os.path.join(folder, "check.safetensors"))
    (logits,) = session.run(["logits"], {"images": check["images"].numpy()})
    return float(abs(torch.from_numpy(logits) - check["logits"]).max())


def check_torchrun(folder):
    out = os.path.join(folder, "trained.safetensors")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={port}",
           "train.py", "--data", DATA, "--device", "cpu", "--max-steps", "2", "--out", out]
    run = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=600)
    steps = [l for l in run.stdout.splitlines() if " step " in l and " loss " in l]
    ok = run.returncode == 0 and len(steps) == 2 and os.path.exists(out)
    return ok, steps, run.stdout[-2000:] + run.stderr[-4000:]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=None, help="export directory (default: a temporary one)")
    ap.add_argument("--skip-cargo", action="store_true", help="reuse the exports in --out")
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="pixelgrad-export-")
    if not args.skip_cargo:
        env = dict(os.environ, PIXELGRAD_EXPORT_DIR=out)
        subprocess.run(["cargo", "test", "-p", "pixelgrad", "--test", "export_check", "--", "--ignored"],
                       cwd=ROOT, env=env, check=True)
    failures = 0
    for name in sorted(os.listdir(out)):
        folder = os.path.join(out, name)
        err = check_logits(folder)
        onnx_err = check_onnx(folder)
        ok, steps, log = check_torchrun(folder)
        good = err < TOLERANCE and ok and (onnx_err is None or onnx_err < TOLERANCE)
        failures += not good
        onnx_text = "n/a" if onnx_err is None else f"{onnx_err:.2e}"
        print(f"{'ok  ' if good else 'FAIL'} {name:22} max |logit diff| {err:.2e}  onnx {onnx_text}  "
              f"torchrun 2x2 steps: {'ok' if ok else 'failed'}  {steps[-1] if steps else ''}")
        if not ok:
            print(log)
    print(f"torch {torch.__version__}; {failures} failure(s); exports in {out}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
