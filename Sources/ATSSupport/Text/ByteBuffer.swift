/// A growable buffer of bytes that owns its memory: what hot paths append to a few bytes
/// at a time (JSON text, a query result's cells), where a Swift array's uniqueness and
/// capacity checks on every append cost more than the bytes themselves.
public struct ByteBuffer: ~Copyable {
    // @usableFromInline: the appends are inlined into other modules' loops.
    @usableFromInline var storage: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var storedCount = 0
    @inlinable public var count: Int { storedCount }

    public init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// The bytes written so far (valid until the next append).
    @inlinable public var base: UnsafePointer<UInt8> { UnsafePointer(storage) }

    @inlinable @inline(__always)
    public mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var grown = capacity * 2
        while grown < count + extra { grown *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity = grown
    }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        storedCount += 1
    }

    @inlinable @inline(__always)
    public mutating func append(_ a: UInt8, _ b: UInt8) {
        reserve(2)
        storage[count] = a
        storage[count + 1] = b
        storedCount += 2
    }

    @inlinable @inline(__always)
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage + count).update(from: source, count: bytes.count)
        storedCount += bytes.count
    }

    /// Lets `body` write up to `maximum` bytes in place; it returns how many it wrote.
    @inlinable @inline(__always)
    public mutating func write(upTo maximum: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Int) {
        reserve(maximum)
        storedCount += body(UnsafeMutableBufferPointer(start: storage + count, count: maximum))
    }

    /// `n` in decimal digits.
    @inlinable
    public mutating func appendDecimal(_ n: Int64) {
        write(upTo: 20) { out in
            var length = 0
            if n < 0 {
                out[0] = UInt8(ascii: "-")
                length = 1
            }
            var magnitude = n.magnitude
            let start = length
            repeat {
                out[length] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
                magnitude /= 10
                length += 1
            } while magnitude > 0
            var digits = UnsafeMutableBufferPointer(rebasing: out[start..<length])
            digits.reverse()
            return length
        }
    }

    /// The bytes as an array.
    public var array: [UInt8] { Array(UnsafeBufferPointer(start: storage, count: count)) }
}
