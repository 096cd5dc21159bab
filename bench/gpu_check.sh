#!/usr/bin/env bash
# The GPU checks in one go (for a machine with an NVIDIA GPU, CuPy and, optionally, torch):
#   1. tests/test_gpu.py: the engine on CuPy against itself on NumPy and against torch on CUDA;
#   2. bench/hardware.py: CPU vs GPU timings, written to bench/results/hardware.md.
# Output (logs and hardware.md) also goes into $OUT when it is set. Finishes in about a minute.
set -u
cd "$(dirname "$0")/.."
export PYTHONPATH=src
export MLTUTORIAL_QUIET=1
OUT_DIR="${OUT:-}"
log() { if [ -n "$OUT_DIR" ]; then tee -a "$OUT_DIR/$1"; else cat; fi; }

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | log gpu_check.log
python -c "import cupy, numpy; print('cupy', cupy.__version__, 'numpy', numpy.__version__)" 2>&1 | log gpu_check.log

timeout 240 python -m pytest -q -m gpu tests/test_gpu.py -p no:cacheprovider -rs 2>&1 | log gpu_tests.log
tests=${PIPESTATUS[0]}

timeout 150 python bench/hardware.py --repeats 10 --gpt-repeats 5 2>&1 | log hardware.log
bench=${PIPESTATUS[0]}
if [ -n "$OUT_DIR" ] && [ -f bench/results/hardware.md ]; then cp bench/results/hardware.md "$OUT_DIR/"; fi

echo "gpu tests: exit $tests; bench/hardware.py: exit $bench" | log gpu_check.log
[ "$tests" -eq 0 ] && [ "$bench" -eq 0 ]
