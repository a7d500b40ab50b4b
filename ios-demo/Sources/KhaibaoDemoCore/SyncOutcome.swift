// What a background sync (BGTaskScheduler on iOS) does with core's answer: done, retry
// later, or give up. The app's BGProcessingTask handler calls `runSync` and reschedules on
// `.retry`.

import Foundation
#if !KHAIBAO_ONE_MODULE  // the test script compiles everything into one module
import Khaibao
#endif

public enum SyncOutcome: Equatable { case done, retry, failed }

public func syncOutcome(_ report: UploadReport) -> SyncOutcome {
    report.remaining > 0 ? .retry : .done
}

public func syncOutcome(_ error: Error) -> SyncOutcome {
    if case KhaibaoError.Network = error { return .retry }
    if case KhaibaoError.Host = error { return .retry }
    return .failed
}

public func runSync(_ app: KhaibaoLibrary, client: HostHttpClient, listener: UploadListener) async -> SyncOutcome {
    do {
        return syncOutcome(try await app.uploads().upload(options: UploadOptions(client: client, listener: listener)))
    } catch {
        return syncOutcome(error)
    }
}
