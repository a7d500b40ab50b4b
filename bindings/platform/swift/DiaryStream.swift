// The thin Swift layer over the generated binding: the diary as an AsyncStream that yields
// the visits now and again after every change (check-in, check-out, edit), for a SwiftUI
// view's `.task`. The library's calls are already `async`; nothing here picks a thread.

import Foundation
#if !KHAIBAO_ONE_MODULE  // the test script compiles everything into one module
import Khaibao
#endif

private final class ChangeRelay: DiaryListener, @unchecked Sendable {
    let continuation: AsyncStream<Void>.Continuation
    init(_ continuation: AsyncStream<Void>.Continuation) { self.continuation = continuation }
    func onDiaryChanged() { continuation.yield(()) }
}

extension Diary {
    /// Yields once now and once after every change, until the consuming task ends.
    public func changes() -> AsyncStream<Void> {
        AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let watch = self.watch(listener: ChangeRelay(continuation))
            continuation.yield(())
            continuation.onTermination = { _ in watch.stop() }
        }
    }

    /// The diary (newest first) now and after every change.
    public func visitsStream() -> AsyncThrowingStream<[Visit], Error> {
        let changes = self.changes()
        return AsyncThrowingStream { continuation in
            let task = Task {
                for await _ in changes {
                    do { continuation.yield(try await self.visits()) } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
