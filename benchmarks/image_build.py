"""Image build benchmark: cold build, rebuild after a code edit, and what the image adds to its base.

Starts a Docker engine of its own (as the tests do: root, Debian's docker.io, the debootstrapped
bookworm base image), builds ``examples/dictionary_ner.py`` three times and prints:

- the cold build: a new engine and a new build folder (wheels downloaded, pip cache as it is);
- a rebuild after editing the script, and one with nothing changed, with their ratio to the cold one;
- the image's size over the base image (the aim: at most 24 MB, the serving stack only), the
  layers that make it up, and the largest installed distributions (what dominates);
- the unnamed images the builds left in the engine (the aim: none).

    sudo python benchmarks/image_build.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "image_build"))

from real_engine import BASE_IMAGE, make_base_image, start_engine, stop_engine, why_no_engine  # noqa: E402

TAG = "elg-bench-ner:1"
#: What the image may add to its base: the serving stack (Flask, gunicorn, pydantic, prometheus-client …)
#: and the framework, without what only build and deploy need.
AIM = 24e6
SIZES = (
    "cd /elg/venv/lib/python3*/site-packages && du -sk * | sort -rn | head -12"
)


def _build(engine_url: str, script: Path) -> float:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "elg_decorators", "build", str(script), "--tag", TAG, "--base-image", BASE_IMAGE,
         "--no-pull"],
        capture_output=True, text=True, env={**_environ(), "DOCKER_HOST": engine_url}, timeout=1800,
    )
    took = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr}\n{result.stdout[-3000:]}")
    return took


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("DOCKER_USERNAME", "DOCKER_PASSWORD")}


def _mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


def main() -> int:
    reason = why_no_engine()
    if reason is not None:
        print(f"cannot run: {reason}")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="elg-bench-"))
    engine = start_engine()
    try:
        make_base_image(engine)
        script = folder / "dictionary_ner.py"
        shutil.copyfile(ROOT / "examples" / "dictionary_ner.py", script)
        cold = _build(engine.url, script)
        script.write_text(script.read_text() + "\n# an edit\n")
        edited = _build(engine.url, script)
        unchanged = _build(engine.url, script)

        base = engine.client.images.get(BASE_IMAGE)
        image = engine.client.images.get(TAG)
        added = image.attrs["Size"] - base.attrs["Size"]
        unnamed = engine.client.images.list(filters={"dangling": True})
        print(f"cold build (new engine, new context):   {cold:6.1f} s")
        print(f"rebuild after editing the script:       {edited:6.1f} s  ({edited / cold:.2f}x the cold build)")
        print(f"rebuild with nothing changed:           {unchanged:6.1f} s  ({unchanged / cold:.2f}x)")
        print(f"size over the base image:               {_mb(added):>8}  (aim: at most {_mb(AIM)}; "
              f"image {_mb(image.attrs['Size'])}, base {_mb(base.attrs['Size'])})")
        print(f"unnamed images left by the builds:      {len(unnamed):6d}    (aim: 0)")
        print("layers over the base:")
        for layer in image.history():
            if layer["Size"] and layer["Id"] != base.id:
                if layer["Size"] == base.attrs["Size"]:
                    continue
                print(f"  {_mb(layer['Size']):>9}  {layer['CreatedBy'][:90]}")
        sizes = engine.client.containers.run(TAG, ["-c", SIZES], entrypoint="sh", remove=True, network_mode="none")
        print("largest installed distributions (KiB):")
        for line in sizes.decode().splitlines():
            print(f"  {line}")
        engine.client.images.remove(TAG, force=True)
        engine.client.images.remove(TAG.split(":")[0] + ":dependencies", force=True)
    finally:
        stop_engine(engine)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
