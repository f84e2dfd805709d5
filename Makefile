# The two commands: `make run` and `make test`. Everything else is helpers.
BUILD := build
ASAN := build-asan
FUZZDIR := build-fuzz
JOBS := $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: all run test bench fuzz format clean

all:
	@scripts/deps.sh build
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) --target sipcloak web

run: all
	@scripts/deps.sh run
	@scripts/demo.sh

test:
	@scripts/deps.sh test
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j$(JOBS)
	@ctest --test-dir $(ASAN) --output-on-failure -j2 --timeout 600

bench: all
	@scripts/deps.sh bench
	@cmake --build $(BUILD) -j$(JOBS)
	@bench/run.sh

fuzz:
	@scripts/deps.sh test
	@CC=clang cmake -S . -B $(FUZZDIR) -DFUZZ=ON >/dev/null
	@cmake --build $(FUZZDIR) -j$(JOBS)
	@scripts/fuzz.sh $(FUZZDIR) $(FUZZ_SECONDS)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZDIR)
