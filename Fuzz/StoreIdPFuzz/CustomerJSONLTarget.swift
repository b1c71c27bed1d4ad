import Foundation
import StoreIdPCore

/// `customers import FILE.jsonl`: one JSON object a line, each validated.
enum CustomerJSONLTarget {
    static func run(_ input: Data) -> String {
        CustomerImport.read(input, format: .jsonl)
    }
}
