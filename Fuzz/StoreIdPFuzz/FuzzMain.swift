import Foundation

/// The process entry. SwiftPM links every executable with `main` aliased to the module's own
/// entry point (`--defsym main=storeidp_fuzz_main`), so libFuzzer's `main` cannot be used as it
/// is; instead:
/// - built with `-sanitize=fuzzer -DSTOREIDP_FUZZING` (Tests/Fuzz/run.sh), `main` hands the
///   command line to libFuzzer's `LLVMFuzzerRunDriver`, which then behaves exactly like
///   libFuzzer's own `main` (flags, corpus folders, crash files);
/// - built plainly (`swift build`), libFuzzer is not linked, and `main` replays inputs instead:
///   `STOREIDP_FUZZ_TARGET=logout storeidp-fuzz FILE…` runs each file through the target once
///   and prints what became of it, which reproduces a crash without sanitizers.
@main
enum FuzzMain {
    static func main() {
        #if STOREIDP_FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        _ = FuzzTarget.selected
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in storeIdPFuzzTestOneInput(data, size) })
        #else
        let paths = CommandLine.arguments.dropFirst()
        for path in paths {
            guard let input = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            print("\(path): \(FuzzTarget.selected.run(input))")
        }
        print("replayed \(paths.count) input(s) through \(FuzzTarget.selected.rawValue)")
        #endif
    }
}

#if STOREIDP_FUZZING
/// libFuzzer's driver (compiler-rt FuzzerDriver.cpp, "for users who want to call libFuzzer
/// from their own main"): `int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*)(const uint8_t *, size_t))`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
