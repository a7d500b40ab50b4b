// The demo's single activity: onboarding on first start, then the citizen's screens (check
// in, diary, personal pass) and the staff door, chosen from a bar at the bottom. An exposure
// notification opens the diary at the matching visit.

package vn.khaibao.demo.app

import android.Manifest
import android.content.Intent
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.TextButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import vn.khaibao.demo.OnboardingStep
import vn.khaibao.demo.OnboardingViewModel

enum class Screen { CHECK_IN, DIARY, PASS, STAFF }

class MainActivity : ComponentActivity() {
    private var openVisit by mutableStateOf<Long?>(null)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        openVisit = visitFrom(intent)
        val app = application as KhaibaoApplication
        setContent {
            MaterialTheme {
                val onboarding = remember { OnboardingViewModel(app.settings) }
                var onboarded by remember { mutableStateOf(onboarding.step == OnboardingStep.DONE) }
                var screen by remember { mutableStateOf(Screen.CHECK_IN) }
                val notifications = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) {}
                if (!onboarded) {
                    OnboardingScreen(onboarding) {
                        onboarded = true
                        // Exposure alerts are notifications; Android 13+ asks for them.
                        if (Build.VERSION.SDK_INT >= 33) notifications.launch(Manifest.permission.POST_NOTIFICATIONS)
                    }
                } else {
                    val visit = openVisit
                    Column(Modifier.fillMaxSize()) {
                        Column(Modifier.weight(1f)) {
                            when {
                                visit != null -> DiaryScreen(app.ports, highlight = visit)
                                screen == Screen.CHECK_IN -> CheckInScreen(app.ports) { Background.uploadNow(this@MainActivity) }
                                screen == Screen.DIARY -> DiaryScreen(app.ports, highlight = null)
                                screen == Screen.PASS -> PassScreen(app.ports, app.settings)
                                else -> StaffScreen()
                            }
                        }
                        BottomBar { openVisit = null; screen = it }
                    }
                }
            }
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        openVisit = visitFrom(intent)
    }

    private fun visitFrom(intent: Intent?): Long? =
        intent?.getLongExtra(Notifications.EXTRA_VISIT, -1L)?.takeIf { it >= 0 }
}

@Composable
fun BottomBar(onSelect: (Screen) -> Unit) {
    Row(Modifier.fillMaxWidth()) {
        TextButton(onClick = { onSelect(Screen.CHECK_IN) }) { Text(stringRes(R.string.tab_check_in)) }
        TextButton(onClick = { onSelect(Screen.DIARY) }) { Text(stringRes(R.string.tab_diary)) }
        TextButton(onClick = { onSelect(Screen.PASS) }) { Text(stringRes(R.string.tab_pass)) }
        TextButton(onClick = { onSelect(Screen.STAFF) }) { Text(stringRes(R.string.tab_staff)) }
    }
}
