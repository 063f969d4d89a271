import ATSSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What one event loop keeps for all of its connections: the shared read buffer, the
/// cached clock, the access log, request ids, and the list that timeouts sweep.
final class LoopContext: EventHandler {
    let loop: EventLoop
    let core: ServerCore
    let listenFD: Int32
    private(set) var clock = WallClock()
    var accessLog: AccessLog
    /// Reused for every read on this loop: 64 KiB once, not per connection.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var connections: [HTTPConnection] = []
    /// `<8 random hex>-<loop>-`, then a per-loop counter in hex.
    private let requestIDPrefix: [UInt8]
    private var requestCounter: UInt64 = 0
    private(set) var draining = false
    private var listening = false
    /// Set when accept failed for want of descriptors or memory: the listener is off this
    /// loop until the next tick (level-triggered, it would otherwise spin the loop).
    private var acceptPaused = false
    /// Every loop of the server (this one included), to spread connections over.
    var siblings: [LoopContext] = []

    init(loop: EventLoop, core: ServerCore, listenFD: Int32) {
        self.loop = loop
        self.core = core
        self.listenFD = listenFD
        accessLog = AccessLog(enabled: core.configuration.accessLog)
        var rng = SystemRandomNumberGenerator()
        let random = String(rng.next() as UInt32, radix: 16)
        requestIDPrefix = Array((String(repeating: "0", count: 8 - random.count) + random + "-\(loop.index)-").utf8)
        clock.refresh()
    }

    deinit { readBuffer.deallocate() }

    func start() -> Bool {
        loop.onTick = { [unowned self] in tick() }
        loop.beforeSleep = { [unowned self] in accessLog.flush() }
        listening = loop.registerExclusive(listenFD, self)
        return listening
    }

    // MARK: Accepting (the listener's readiness)

    func handleEvents(_ mask: UInt32) {
        // Accept a bounded batch, then deal the connections out round-robin: the loop
        // that wakes first would otherwise take a whole burst (measured: 80/20 splits).
        for _ in 0..<64 {
            let accepted: (fd: Int32, peer: PeerAddress?)?
            do {
                accepted = try Posix.accept(listenFD)
            } catch {
                // EMFILE, ENFILE, ENOBUFS, ENOMEM: the backlog keeps the listener
                // readable. Step back until the next tick instead of spinning.
                if listening {
                    loop.deregister(listenFD)
                    listening = false
                    acceptPaused = true
                }
                return
            }
            guard let (fd, peer) = accepted else { return }
            let open = core.metrics.connectionsOpen.add(1, ordering: .relaxed).newValue
            if open > core.configuration.maxConnections || draining {
                // Over the limit: close at once; the connections we have are unaffected.
                core.metrics.connectionsOpen.subtract(1, ordering: .relaxed)
                core.metrics.connectionsRejected.add(1, ordering: .relaxed)
                Posix.close(fd)
                continue
            }
            Posix.setNoDelay(fd)
            let target = siblings.isEmpty ? self : siblings[core.nextLoop.add(1, ordering: .relaxed).newValue % siblings.count]
            if target === self {
                adopt(fd, peer)
            } else {
                let bound = LoopBound(value: target)
                target.loop.execute { bound.value.adopt(fd, peer) }
            }
        }
    }

    /// Takes an accepted connection into this loop (on this loop's thread).
    func adopt(_ fd: Int32, _ peer: PeerAddress?) {
        let connection = HTTPConnection(fd: fd, peer: peer, context: self)
        connection.slot = connections.count
        connections.append(connection)
        if draining || !loop.register(fd, connection, events: connection.interest) {
            connection.close()
        }
    }

    // MARK: Connection bookkeeping

    func remove(_ connection: HTTPConnection) {
        let slot = connection.slot
        guard slot >= 0, slot < connections.count, connections[slot] === connection else { return }
        let last = connections.removeLast()
        if slot < connections.count {
            connections[slot] = last
            last.slot = slot
        }
        connection.slot = -1
        core.metrics.connectionsOpen.subtract(1, ordering: .relaxed)
        if draining && connections.isEmpty { loop.stop() }
    }

    func nextRequestID() -> String {
        requestCounter &+= 1
        let hex: StaticString = "0123456789abcdef"
        var digits = 1
        while digits < 16 && requestCounter >> (4 * UInt64(digits)) != 0 { digits += 1 }
        return String(unsafeUninitializedCapacity: requestIDPrefix.count + digits) { buffer in
            for (i, byte) in requestIDPrefix.enumerated() { buffer[i] = byte }
            for i in 0..<digits {
                let nibble = Int((requestCounter >> (4 * UInt64(digits - 1 - i))) & 0xF)
                buffer[requestIDPrefix.count + i] = hex.utf8Start[nibble]
            }
            return requestIDPrefix.count + digits
        }
    }

    func refreshClock() { clock.refresh() }

    private func tick() {
        clock.refresh()
        if acceptPaused && !draining {
            acceptPaused = false
            listening = loop.registerExclusive(listenFD, self)
        }
        let now = loop.now
        // Iterate over a copy: a timeout may close (and remove) connections.
        for connection in connections { connection.checkTimeout(now: now) }
    }

    // MARK: Shutdown

    /// Stops accepting, closes idle connections, and lets busy ones finish their request.
    func beginDrain() {
        draining = true
        if listening {
            loop.deregister(listenFD)
            listening = false
        }
        for connection in connections { connection.drain() }
        if connections.isEmpty { loop.stop() }
    }

    /// Closes whatever is still open (the shutdown timeout has passed).
    func forceClose() {
        for connection in connections { connection.close() }
        loop.stop()
    }

    /// Drops the references to the other loops once all have stopped (they form a cycle).
    func detach() { siblings = [] }
}
