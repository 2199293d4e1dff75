# A thin layer over CMake. `make test` is what CI runs.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# The integration tests mostly wait on servers and timeouts, so twice as many
# run at once as there are cores.
TEST_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWERROR=ON

.PHONY: all deps build test demo bench install clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(TEST_JOBS)

demo: build
	bash demo/demo.sh $(BUILD)

bench: build
	bash bench/run.sh $(BUILD)

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) $(if $(DESTDIR),--prefix /usr,)

clean:
	rm -rf $(BUILD)
