// The personal pass: the device registers with the authority once, then shows a QR that
// the door's staff app verifies offline. A pass is valid for a few minutes; the screen shows
// the countdown and makes a new pass before the old one expires.

package vn.khaibao.demo

sealed class PassState {
    object NeedsDeclaration : PassState()
    object Registering : PassState()
    data class Showing(val text: String, val expiresAt: Long) : PassState()
    data class Failed(val error: Bilingual) : PassState()
}

class PassViewModel(
    private val service: PassService,
    private val settings: Settings,
    private val clock: DemoClock = SystemClock,
    /** A new pass is made this many seconds before the shown one expires. */
    private val renewBefore: Long = 30,
) {
    var state: PassState = PassState.NeedsDeclaration
        private set
    private var declaration: DeclarationInput? = null
    private var showName = false

    /** Registers if needed (the certificate is kept in settings) and shows a pass. */
    suspend fun show(declaration: DeclarationInput, showName: Boolean) {
        this.declaration = declaration
        this.showName = showName
        val certificate = settings.get(CERTIFICATE)?.let(::unhex) ?: try {
            state = PassState.Registering
            service.register().also { settings.put(CERTIFICATE, hex(it)) }
        } catch (e: LibraryError) {
            state = PassState.Failed(e.text)
            return
        }
        render(certificate)
    }

    private suspend fun render(certificate: ByteArray) {
        val d = declaration ?: return
        state = try {
            PassState.Showing(service.makePass(d, certificate, showName), clock.nowSeconds() + service.validSeconds)
        } catch (e: LibraryError) {
            PassState.Failed(e.text)
        }
    }

    /** Seconds left on the shown pass (0 when expired or none). */
    fun remainingSeconds(): Long = (state as? PassState.Showing)?.let { maxOf(0, it.expiresAt - clock.nowSeconds()) } ?: 0

    /** The countdown line, e.g. "4:05". */
    fun countdown(): Message {
        val s = remainingSeconds()
        return Message(Str.pass_expires_in, listOf("%d:%02d".format(s / 60, s % 60)))
    }

    /** Called every second by the screen: renews the pass when it is about to expire. */
    suspend fun tick() {
        if (state is PassState.Showing && remainingSeconds() <= renewBefore) {
            settings.get(CERTIFICATE)?.let { render(unhex(it)) }
        }
    }

    companion object {
        const val CERTIFICATE = "pass.certificate"
    }
}

fun hex(bytes: ByteArray) = bytes.joinToString("") { "%02x".format(it) }
fun unhex(s: String) = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

fun statusKey(status: PassStatus): Str = when (status) {
    PassStatus.GREEN -> Str.pass_status_green
    PassStatus.YELLOW -> Str.pass_status_yellow
    PassStatus.RED -> Str.pass_status_red
}
