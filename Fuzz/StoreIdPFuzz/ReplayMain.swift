import Foundation

#if !STOREIDP_FUZZING
/// Without `-sanitize=fuzzer` (a plain `swift build`) libFuzzer supplies no `main`, so this one
/// replays inputs instead: `STOREIDP_FUZZ_TARGET=logout storeidp-fuzz FILE…` runs each file
/// through the target once, which reproduces a crash under the debugger without sanitizers.
/// Tests/Fuzz/run.sh builds with `-DSTOREIDP_FUZZING`, which leaves `main` to libFuzzer.
@main
enum ReplayMain {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        for path in paths {
            guard let input = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            print("\(path): \(FuzzTarget.selected.run(input))")
        }
        print("replayed \(paths.count) input(s) through \(FuzzTarget.selected.rawValue)")
    }
}
#endif
