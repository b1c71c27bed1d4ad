import Foundation

/// libFuzzer's entry point (https://llvm.org/docs/LibFuzzer.html): called once per input,
/// in the target `STOREIDP_FUZZ_TARGET` names. Returning 0 keeps the input's coverage.
@_cdecl("LLVMFuzzerTestOneInput")
public func storeIdPFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Data(bytes: $0, count: size) } ?? Data()
    FuzzTarget.selected.run(input)
    return 0
}
