import ATSSupport
import CLinux
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One client connection, confined to its event loop. Requests are handled one at a time
/// in arrival order, so pipelined responses leave in order; while a request is with a
/// worker, or while too much output is queued, the connection stops reading
/// (back-pressure) rather than buffering without bound.
final class HTTPConnection: EventHandler {
    private enum State {
        /// Parsing requests (between requests, or reading one).
        case reading
        /// A `.blocking` handler is running on the worker pool.
        case processing
        /// The last response is queued; close once it is written.
        case closingAfterWrite
        /// Output written and our side shut down; discarding input until the peer closes,
        /// so the kernel does not reset the connection before the client reads our answer.
        case lingering(until: UInt64)
        case closed
    }

    let fd: Int32
    let peer: PeerAddress?
    /// `peer` as text, made once for the access log.
    private let remoteAddress: String
    /// Index in the loop's connection list (for O(1) removal).
    var slot = -1
    private unowned let context: LoopContext
    private var state = State.reading
    private var parser: HTTPParser
    private var input: [UInt8] = []
    private var inputStart = 0
    private var output: [[UInt8]] = []
    private var outputOffset = 0
    private var outputBytes = 0
    private var registeredInterest: UInt32
    private var peerClosed = false
    private var servedRequests = 0
    private let acceptedAt: UInt64
    private var requestStartedAt: UInt64?
    /// When the current request's head was complete and its body began.
    private var bodyStartedAt: UInt64?
    /// Body bytes charged to the server-wide budget: the body being read, and the last
    /// one dispatched until its response is made.
    private var chargedBodyBytes = 0
    private var dispatchedBodyBytes = 0
    private var lastReadAt: UInt64
    private var lastWriteAt: UInt64
    /// When output last went from empty to pending, and bytes written since: a reader
    /// slower than `minimumWriteRate` is cut off even if it trickles.
    private var outputPendingSince: UInt64 = 0
    private var writtenSincePending = 0
    private static let minimumWriteRate = 1024.0  // bytes per second
    private static let maxInputWhileProcessing = 64 * 1024
    /// Set while a request is handled: what its response needs to know.
    private var current: (head: HTTPRequestHead, requestID: String, receivedAt: UInt64)?

    init(fd: Int32, peer: PeerAddress?, context: LoopContext) {
        self.fd = fd
        self.peer = peer
        remoteAddress = peer?.description ?? "unknown"
        self.context = context
        parser = context.core.makeParser()
        acceptedAt = context.loop.now
        lastReadAt = acceptedAt
        lastWriteAt = acceptedAt
        registeredInterest = ats_EPOLLIN
    }

    private var configuration: ServerConfiguration { context.core.configuration }

    /// The epoll events this connection wants now.
    var interest: UInt32 {
        var events: UInt32 = 0
        switch state {
        case .reading:
            if !peerClosed && outputBytes < configuration.maxPendingOutput { events |= ats_EPOLLIN }
        case .processing:
            // Still listening while a worker has the request, so handing it over and
            // back costs no epoll_ctl; what a client pipelines meanwhile waits in `input`,
            // and past a bound the connection stops reading until its turn.
            if !peerClosed && input.count - inputStart < HTTPConnection.maxInputWhileProcessing { events |= ats_EPOLLIN }
        case .lingering:
            events |= ats_EPOLLIN
        case .closingAfterWrite, .closed:
            break
        }
        if outputBytes > 0 { events |= ats_EPOLLOUT }
        return events
    }

    // MARK: Events

    func handleEvents(_ mask: UInt32) {
        if mask & (ats_EPOLLERR | ats_EPOLLHUP) != 0 && mask & ats_EPOLLIN == 0 {
            close()
            return
        }
        if mask & ats_EPOLLIN != 0 { readable() }
        if case .closed = state { return }
        if mask & ats_EPOLLOUT != 0 { flush() }
        if case .reading = state, inputStart < input.count, outputBytes < configuration.maxPendingOutput {
            processInput()  // output drained below the limit: resume pipelined requests
        }
        updateInterest()
    }

    private func readable() {
        let buffer = context.readBuffer
        switch Posix.read(fd, into: buffer) {
        case .wouldBlock:
            return
        case .closed:
            peerClosed = true
            switch state {
            case .lingering:
                close()
            case .reading:
                // A half-sent request can never complete; with nothing left to write, go
                // now. Queued responses are still written (`flush` closes afterwards).
                if outputBytes == 0 { close() }
            default:
                break
            }
        case .processed(let n):
            if case .lingering = state { return }
            let now = context.loop.now
            lastReadAt = now
            // (Bytes that arrive while a worker has the request start no clock: that
            // request's turn has not come.)
            if case .reading = state, requestStartedAt == nil && parser.isIdle && inputStart == input.count { requestStartedAt = now }
            input.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            processInput()
        }
    }

    // MARK: Requests

    /// Parses and handles buffered requests until one goes to a worker, the buffer holds
    /// no complete request, or output backs up; then writes what it can. When the write
    /// relieved the back-up, it goes on (nothing else would wake a client that waits).
    private func processInput() {
        while true {
            let backedUp = parseAndDispatch()
            flush()
            guard backedUp, case .reading = state, inputStart < input.count, outputBytes < configuration.maxPendingOutput else { break }
        }
        compactInput()
    }

    /// True when it stopped because too much output is queued.
    private func parseAndDispatch() -> Bool {
        while case .reading = state, inputStart < input.count {
            if outputBytes >= configuration.maxPendingOutput { return true }
            let progress: HTTPParser.Progress
            do {
                progress = try parser.parse(input, start: &inputStart)
            } catch {
                respondToParseError(error)
                return false
            }
            switch progress {
            case .needMore:
                // The header clock runs only while we wait for the client's bytes, not
                // while its pipelined request sat behind a worker or a backed-up write.
                if requestStartedAt == nil && (!parser.isIdle || inputStart < input.count) { requestStartedAt = context.loop.now }
                if parser.isReadingBody && !chargeBodies() { refuseBody() }
                return false
            case .head(let head):
                bodyStartedAt = context.loop.now
                if head.headers.contains("Expect") {
                    guard head.expectsContinue else {
                        finishEarly(HTTPError(417, "Only the 100-continue expectation is supported."), head: head)
                        return false
                    }
                    // Ask for the body only if the client is waiting for our word.
                    if head.version == .http1_1 && inputStart == input.count {
                        enqueue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    }
                }
            case .request(let request):
                requestStartedAt = nil
                bodyStartedAt = nil
                dispatchedBodyBytes = request.body.capacity
                guard chargeBodies() else {
                    refuseBody()
                    return false
                }
                if request.headers.contains("Expect") && !request.head.expectsContinue {
                    finishEarly(HTTPError(417, "Only the 100-continue expectation is supported."), head: request.head)
                    return false
                }
                dispatch(request)
            }
        }
        return false
    }

    /// Brings this connection's share of the body budget in line with what it holds;
    /// false when growing it would pass `maxBufferedBodies` (nothing is charged then).
    private func chargeBodies() -> Bool {
        let held = parser.bodyBytesHeld + dispatchedBodyBytes
        let delta = held - chargedBodyBytes
        guard context.core.metrics.adjustBufferedBodies(by: delta, limit: configuration.maxBufferedBodies) else { return false }
        chargedBodyBytes = held
        return true
    }

    /// The budget for request bodies is spent: this request is answered 503 (and its
    /// body dropped) rather than the process growing without bound.
    private func refuseBody() {
        context.core.metrics.bodiesRefused.add(1, ordering: .relaxed)
        var headers = HTTPHeaders()
        headers.add("Retry-After", "2")
        finishEarly(HTTPError(503, "The server is holding too many request bodies; retry shortly.", headers: headers), head: nil)
    }

    private func compactInput() {
        if inputStart == input.count {
            input.removeAll(keepingCapacity: input.capacity <= 4096)
            inputStart = 0
        } else if inputStart > 64 * 1024 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }

    private func dispatch(_ request: HTTPRequest) {
        let requestID = HTTPConnection.acceptableRequestID(request.headers.first("X-Request-ID")) ?? context.nextRequestID()
        let receivedAt = context.loop.now
        current = (request.head, requestID, receivedAt)
        switch context.core.router.match(method: request.method, path: request.path) {
        case .notFound:
            respond(HTTPError(404, "No route matches \(request.path).").response, route: "unmatched")
        case .methodNotAllowed(let allow):
            var headers = HTTPHeaders()
            headers.add("Allow", allow.joined(separator: ", "))
            respond(HTTPError(405, "\(request.method) is not allowed here.", headers: headers).response, route: "unmatched")
        case .found(let route, let parameters):
            let routeContext = RequestContext(requestID: requestID, route: route.template, parameters: parameters, peer: peer)
            switch route.mode {
            case .inline:
                respond(HTTPConnection.run(route.handler, request, routeContext, context.core.errorResponder), route: route.template)
            case .blocking:
                runOnWorker(route, request, routeContext)
            }
        }
    }

    private func runOnWorker(_ route: Router.Route, _ request: HTTPRequest, _ routeContext: RequestContext) {
        state = .processing
        let me = LoopBound(value: self)
        let loop = context.loop
        let errorResponder = context.core.errorResponder
        let accepted = context.core.pool.submit {
            let response = HTTPConnection.run(route.handler, request, routeContext, errorResponder)
            loop.execute { me.value.workerFinished(response, route: route.template) }
        }
        if !accepted {
            state = .reading
            var headers = HTTPHeaders()
            headers.add("Retry-After", "1")
            respond(HTTPError(503, "The server is busy; retry shortly.", headers: headers).response, route: route.template)
        }
    }

    private func workerFinished(_ response: HTTPResponse, route: String) {
        guard case .processing = state else { return }  // closed meanwhile
        state = .reading
        respond(response, route: route)
        processInput()
        if case .closed = state { return }
        updateInterest()
    }

    private static func run(_ handler: HTTPHandler, _ request: HTTPRequest, _ context: RequestContext, _ errorResponder: ErrorResponder) -> HTTPResponse {
        var response: HTTPResponse
        do {
            response = try handler(request, context)
        } catch {
            response = errorResponder(error, context)
        }
        response.logFields += context.log.fields
        return response
    }

    // MARK: Responses

    private func respond(_ response: HTTPResponse, route: String) {
        guard let (head, requestID, receivedAt) = current else { return }
        current = nil
        dispatchedBodyBytes = 0  // the handler is done with the body
        _ = chargeBodies()
        servedRequests += 1
        var keepAlive = head.keepAlive && !context.draining && !peerClosed
        if response.headers.tokens("Connection").contains("close") { keepAlive = false }
        context.refreshClock()
        let encoded = HTTPResponseEncoder.encode(response, method: head.method, version: head.version, requestID: requestID, keepAlive: keepAlive,
                                                 date: context.clock.httpDate, serverName: configuration.serverName)
        enqueue(encoded.head)
        if let body = encoded.largeBody { enqueue(body) }
        if !keepAlive { state = .closingAfterWrite }

        let seconds = Double(EventLoop.monotonicNow() - receivedAt) / 1e9
        context.core.metrics.record(shard: context.loop.index, method: head.method, route: route, status: response.status, seconds: seconds)
        if context.accessLog.enabled {
            context.accessLog.append(time: context.clock.iso8601Milliseconds, method: head.method, route: route, status: response.status,
                                     milliseconds: seconds * 1000, requestID: requestID, remote: remoteAddress, fields: response.logFields)
        }
    }

    /// Answers a request that cannot go on (a parse error, a refused expectation) and
    /// closes: after such an error nothing else on this connection can be trusted.
    private func respondToParseError(_ error: HTTPParseError) {
        finishEarly(HTTPError(error.status, error.detail), head: nil)
    }

    private func finishEarly(_ error: HTTPError, head: HTTPRequestHead?) {
        let head = head ?? HTTPRequestHead(method: "-", target: "-", version: .http1_1, headers: HTTPHeaders())
        current = (head, context.nextRequestID(), context.loop.now)
        // Nothing more is parsed on this connection: drop a half-read body now.
        parser = context.core.makeParser()
        var response = error.response
        response.headers.set("Connection", "close")
        respond(response, route: "invalid")
        state = .closingAfterWrite
    }

    static func acceptableRequestID(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128 else { return nil }
        let ok = value.utf8.allSatisfy { b in
            isTokenByte(b) || b == UInt8(ascii: ":") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=") || b == UInt8(ascii: "@")
        }
        return ok ? value : nil
    }

    // MARK: Output

    private func enqueue(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if outputBytes == 0 {
            lastWriteAt = context.loop.now
            outputPendingSince = context.loop.now
            writtenSincePending = 0
        }
        output.append(bytes)
        outputBytes += bytes.count
    }

    /// Writes as much queued output as the socket takes, in one `writev` per round.
    private func flush() {
        while outputBytes > 0 {
            let chunks = output.prefix(64)
            let result: IOResult = withUnsafeTemporaryAllocation(of: iovec.self, capacity: chunks.count) { iov in
                HTTPConnection.withIOVecs(chunks, firstOffset: outputOffset, iov, 0) { Posix.writev(fd, iov) }
            }
            switch result {
            case .processed(let n):
                lastWriteAt = context.loop.now
                writtenSincePending += n
                consumeOutput(n)
            case .wouldBlock:
                return
            case .closed:
                close()
                return
            }
        }
        switch state {
        case .closingAfterWrite:
            beginLingering()
        case .reading where peerClosed:
            close()  // the client half-closed and everything it sent is answered
        case .reading where context.draining && parser.isIdle && inputStart == input.count && current == nil:
            close()  // shutting down and this connection is now idle
        default:
            break
        }
    }

    /// Points `iov[i...]` at the chunks, keeping each chunk's buffer pinned while `body` runs.
    private static func withIOVecs(_ chunks: ArraySlice<[UInt8]>, firstOffset: Int, _ iov: UnsafeMutableBufferPointer<iovec>, _ i: Int,
                                   _ body: () -> IOResult) -> IOResult {
        guard i < iov.count else { return body() }
        return chunks[chunks.startIndex + i].withUnsafeBytes { raw in
            let skip = i == 0 ? firstOffset : 0
            iov[i] = iovec(iov_base: raw.baseAddress.map { UnsafeMutableRawPointer(mutating: $0 + skip) }, iov_len: raw.count - skip)
            return withIOVecs(chunks, firstOffset: firstOffset, iov, i + 1, body)
        }
    }

    private func consumeOutput(_ count: Int) {
        var remaining = count
        outputBytes -= count
        while remaining > 0, let first = output.first {
            let left = first.count - outputOffset
            if remaining >= left {
                remaining -= left
                output.removeFirst()
                outputOffset = 0
            } else {
                outputOffset += remaining
                remaining = 0
            }
        }
    }

    private func beginLingering() {
        if peerClosed {
            close()
            return
        }
        Posix.shutdownWrite(fd)
        // Shutting down, the process will not wait long for stragglers.
        let linger: UInt64 = context.draining ? 250_000_000 : 2_000_000_000
        state = .lingering(until: context.loop.now + linger)
        updateInterest()
    }

    private func updateInterest() {
        if case .closed = state { return }
        let wanted = interest
        if wanted != registeredInterest {
            context.loop.modify(fd, events: wanted)
            registeredInterest = wanted
        }
    }

    // MARK: Timeouts and shutdown

    func checkTimeout(now: UInt64) {
        let config = configuration
        func after(_ start: UInt64, _ seconds: Double) -> Bool { now >= start + UInt64(seconds * 1e9) }
        if outputBytes > 0 {
            let pendingSeconds = Double(now - outputPendingSince) / 1e9
            let tooSlow = pendingSeconds > config.writeTimeout && Double(writtenSincePending) / pendingSeconds < HTTPConnection.minimumWriteRate
            if after(lastWriteAt, config.writeTimeout) || tooSlow {
                close()
                return
            }
        }
        switch state {
        case .lingering(let until):
            if now >= until { close() }
        case .reading:
            if parser.isReadingBody {
                if after(lastReadAt, config.bodyTimeout) || bodyBelowMinimumRate(now: now) { timeOutRequest("The request body arrived too slowly.") }
            } else if let started = requestStartedAt, !parser.isIdle || inputStart < input.count {
                if after(started, config.headerTimeout) { timeOutRequest("The request head arrived too slowly.") }
            } else if servedRequests == 0 {
                if after(acceptedAt, config.headerTimeout) { close() }
            } else if outputBytes == 0 && after(lastReadAt, config.idleTimeout) && after(lastWriteAt, config.idleTimeout) {
                close()
            }
        case .processing, .closingAfterWrite, .closed:
            break
        }
    }

    /// After `bodyTimeout` seconds of body, it must have averaged `bodyMinimumRate` since:
    /// trickling a byte now and then no longer holds a connection (and its body) forever.
    private func bodyBelowMinimumRate(now: UInt64) -> Bool {
        let rate = configuration.bodyMinimumRate
        guard rate > 0, let started = bodyStartedAt, now > started else { return false }
        let late = Double(now - started) / 1e9 - configuration.bodyTimeout
        return late > 0 && Double(parser.bodyBytesReceived) < late * rate
    }

    private func timeOutRequest(_ detail: String) {
        finishEarly(HTTPError(408, detail), head: nil)
        flush()
        if case .closed = state { return }
        updateInterest()
    }

    /// Server shutdown: idle connections close now; a busy one finishes its request,
    /// whose response then says `Connection: close`.
    func drain() {
        switch state {
        case .reading where parser.isIdle && inputStart == input.count && outputBytes == 0 && current == nil:
            close()
        case .lingering(let until):
            state = .lingering(until: min(until, context.loop.now + 250_000_000))
        default:
            break
        }
    }

    func close() {
        if case .closed = state { return }
        state = .closed
        context.loop.deregister(fd)
        Posix.close(fd)
        context.remove(self)
        parser = context.core.makeParser()
        dispatchedBodyBytes = 0
        _ = chargeBodies()
        input = []
        inputStart = 0
        output = []
        outputOffset = 0
        outputBytes = 0
    }
}
