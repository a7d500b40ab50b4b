// First start: the language, what the app stores on the phone and for how long, and why it
// asks for the camera. The choices are kept in the app's settings.

package vn.khaibao.demo

enum class OnboardingStep { LANGUAGE, STORED, CAMERA, DONE }

class OnboardingViewModel(private val settings: Settings) {
    var step = if (settings.get(DONE) == "1") OnboardingStep.DONE else OnboardingStep.LANGUAGE
        private set
    val language: Language get() = if (settings.get(LANGUAGE) == "en") Language.EN else Language.VI

    fun choose(language: Language) {
        settings.put(LANGUAGE, if (language == Language.EN) "en" else "vi")
        if (step == OnboardingStep.LANGUAGE) step = OnboardingStep.STORED
    }

    /** The "what is stored" page: the diary stays on the phone for `retentionDays` days. */
    fun storedText(): Message = Message(Str.onboarding_stored, listOf(RETENTION_DAYS))

    fun next() {
        step = when (step) {
            OnboardingStep.LANGUAGE -> OnboardingStep.STORED
            OnboardingStep.STORED -> OnboardingStep.CAMERA
            OnboardingStep.CAMERA, OnboardingStep.DONE -> OnboardingStep.DONE.also { settings.put(DONE, "1") }
        }
    }

    companion object {
        const val LANGUAGE = "onboarding.language"
        const val DONE = "onboarding.done"

        /** Core's default retention of the diary (days), as the library purges it. */
        const val RETENTION_DAYS = 21
    }
}

/** What a background run did: the platform scheduler maps it to success or retry. */
enum class SyncOutcome { DONE, RETRY }

/**
 * One background run: upload the outbox, then refresh trust and exposures. Alerts are handed
 * to `notify` (system notifications). Network trouble means retry with the scheduler's
 * backoff; items stay queued.
 */
suspend fun runBackgroundSync(sync: BackgroundSync, notify: (List<AlertNotification>) -> Unit): SyncOutcome = try {
    val remaining = sync.upload()
    sync.syncTrust()
    val alerts = sync.syncExposures()
    if (alerts.isNotEmpty()) notify(alertNotifications(alerts))
    if (remaining > 0) SyncOutcome.RETRY else SyncOutcome.DONE
} catch (e: LibraryError) {
    SyncOutcome.RETRY
}
