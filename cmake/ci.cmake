# ci.cmake — build options used by CI (.ci/run) on top of the plain build.
#
# Included from the top-level CMakeLists.txt before any target is defined,
# so the compile options below reach the library, the programs and the tests.
#
#   -DFUZZ=ON       libFuzzer targets (fuzz/CMakeLists.txt). Needs clang
#                   (CC=clang); everything is then compiled with
#                   -fsanitize=fuzzer-no-link,address,undefined so the
#                   library is instrumented for coverage feedback and checked.
#   -DCOVERAGE=ON   gcov instrumentation for gcovr. Keep it apart from
#                   SANITIZE and FUZZ: their runtimes distort the counts.
#   -DTORTURE=ON    (default) the allocation-failure torture test in
#                   tests/torture/, which fails each allocation in turn.

option(COVERAGE "Instrument for gcov/gcovr coverage" OFF)
option(TORTURE "Build the allocation-failure torture test" ON)

if(FUZZ)
	if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
		message(FATAL_ERROR "FUZZ=ON needs clang: configure with CC=clang")
	endif()
	if(SANITIZE)
		message(FATAL_ERROR "FUZZ=ON sets its own sanitizers; leave SANITIZE empty")
	endif()
	add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
		-fno-sanitize-recover=all -fno-omit-frame-pointer)
	add_link_options(-fsanitize=address,undefined)
endif()

if(COVERAGE)
	if(SANITIZE OR FUZZ)
		message(FATAL_ERROR "COVERAGE=ON is kept apart from SANITIZE and FUZZ")
	endif()
	# -O0 so lines map one to one; the tests link the same flags.
	add_compile_options(--coverage -O0)
	add_link_options(--coverage)
endif()

if(TORTURE AND BUILD_TESTING AND NOT FUZZ)
	add_subdirectory(tests/torture)
endif()
