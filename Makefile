# The README's two commands:
#   make demo   install what is missing, build (release), run the tour on a local warehouse folder
#   make test   install what is missing, build (warnings as errors), check that the CLI uses only the public
#               API (scripts/check_public_api.sh), run every test + a short fuzz run
# Other targets: build, bench, asan (unit tests under ASan+UBSan), fuzz, clean.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: setup build demo test unit asan fuzz bench clean

setup:
	@./scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DAILAKE_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@ninja -C $(BUILD) -j $(JOBS)

demo: build
	@$(if $(filter 0,$(shell id -u)),,sudo) cmake --install $(BUILD) --component python >/dev/null  # the Python package, for /usr/bin/python3 (docs/PYTHON.md)
	@./scripts/demo.sh $(BUILD)/ailake
	@/usr/bin/python3 python/examples/tour.py  # the tour's Python part, on the installed package

unit: build
	@./scripts/check_public_api.sh
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900
	@$(BUILD)/vec_tests --gtest_filter='IsaCoverage.*' | grep '^vec_tests:'

test: unit
	@./scripts/fuzz.sh

asan: setup
	@# Warnings are errors in the release tree (make build); GCC's flow warnings under -O1 plus
	@# instrumentation are known to misfire, so this tree reports them without failing.
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAILAKE_SANITIZE=ON -DAILAKE_WERROR=OFF -DAILAKE_BENCH=OFF >/dev/null
	@ninja -C build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS) --timeout 1800

fuzz: setup
	@./scripts/fuzz.sh

bench: build
	@echo "benchmark programs are in $(BUILD)/bench/ (see docs/BENCHMARKS.md)"

clean:
	rm -rf build build-asan build-fuzz
