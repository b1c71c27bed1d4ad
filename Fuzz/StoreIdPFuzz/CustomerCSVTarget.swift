import Foundation
import StoreIdPCore

/// `customers import FILE.csv`: the header, every row, and each profile's validation. The
/// file is cut into chunks of 1 to 13 bytes so that quotes, CRLF and the byte order mark
/// fall across chunk boundaries too.
enum CustomerCSVTarget {
    static func run(_ input: Data) {
        CustomerImport.read(input, format: .csv)
    }
}

/// Reads a whole import file as the command does, validating each row's profile.
enum CustomerImport {
    static func read(_ input: Data, format: CustomerImportFile.Format) {
        let bytes = [UInt8](input)
        var file: CustomerImportFile
        do {
            file = try CustomerImportFile(source: .bytes(bytes, chunkSize: 1 + bytes.count % 13), format: format)
        } catch {
            _ = error.description
            return
        }
        while let row = try? file.next() {
            switch row.profile {
            case let .success(profile):
                do { _ = try profile.validate() } catch { _ = error.description }
            case let .failure(rejection):
                _ = rejection.description
            }
        }
    }
}
