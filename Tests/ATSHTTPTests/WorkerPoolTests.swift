@testable import ATSHTTP
import Synchronization
import ATSTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

private final class Payload: Sendable {
    let bytes = [UInt8](repeating: 1, count: 1024)
}

@Suite("WorkerPool")
struct WorkerPoolTests {
    @Test func refusesWhenTheQueueIsFull() throws {
        let pool = try WorkerPool(threads: 1, queueCapacity: 2)
        let release = Atomic<Bool>(false)
        #expect(pool.submit { while !release.load(ordering: .acquiring) { usleep(1000) } })
        usleep(20_000)  // the first job is now running, not queued
        #expect(pool.submit {})
        #expect(pool.submit {})
        #expect(!pool.submit {}, "a third queued job must be refused")
        release.store(true, ordering: .releasing)
        pool.shutdown(deadline: EventLoop.monotonicNow() + 2_000_000_000)
    }

    @Test func finishedJobsAreReleasedWhileOthersWait() throws {
        let pool = try WorkerPool(threads: 1, queueCapacity: 100)
        weak var weakPayload: Payload?
        do {
            let payload = Payload()
            weakPayload = payload
            #expect(pool.submit { _ = payload.bytes.count })
        }
        let release = Atomic<Bool>(false)
        #expect(pool.submit { while !release.load(ordering: .acquiring) { usleep(1000) } })
        #expect(pool.submit {})  // keeps the queue from ever draining while we look
        usleep(50_000)
        #expect(weakPayload == nil, "a finished job's captures must not stay in the queue")
        release.store(true, ordering: .releasing)
        pool.shutdown(deadline: EventLoop.monotonicNow() + 2_000_000_000)
    }
}
