// First start (language, what is stored and for how long, why the camera) and the one
// background run the BGAppRefreshTask performs. Mirrors Onboarding.kt.

import Foundation

public enum OnboardingStep { case language, stored, camera, done }

public final class OnboardingViewModel {
    public static let languageKey = "onboarding.language", doneKey = "onboarding.done"
    /// Core's default retention of the diary (days), as the library purges it.
    public static let retentionDays = 21
    public private(set) var step: OnboardingStep
    private let settings: Settings

    public init(settings: Settings) {
        self.settings = settings
        step = settings.get(Self.doneKey) == "1" ? .done : .language
    }

    public var language: AppLanguage { settings.get(Self.languageKey) == "en" ? .en : .vi }

    public func choose(_ language: AppLanguage) {
        settings.put(Self.languageKey, language.rawValue)
        if step == .language { step = .stored }
    }

    public func storedText() -> Message { Message(.onboarding_stored, [String(Self.retentionDays)]) }

    public func next() {
        switch step {
        case .language: step = .stored
        case .stored: step = .camera
        case .camera, .done: step = .done; settings.put(Self.doneKey, "1")
        }
    }
}

public enum SyncOutcome: Equatable { case done, retry }

/// One background run: upload, refresh trust, fetch exposures (alerts to `notify`). Network
/// trouble means retry later; items stay queued.
public func runBackgroundSync(_ sync: BackgroundSync, notify: ([AlertNotification]) -> Void) async -> SyncOutcome {
    do {
        let remaining = try await sync.upload()
        try await sync.syncTrust()
        let alerts = try await sync.syncExposures()
        if !alerts.isEmpty { notify(alertNotifications(alerts)) }
        return remaining > 0 ? .retry : .done
    } catch {
        return .retry
    }
}
