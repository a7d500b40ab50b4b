// The check-in screen, one branch per state of CheckInViewModel: the camera permission
// request, the denied state offering manual entry, the scanner (with torch), manual code
// entry, the venue confirmation, the declaration form and the active visit with check-out
// and its automatic check-out time.

package vn.khaibao.demo.app

import android.Manifest
import android.content.pm.PackageManager
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import androidx.core.content.ContextCompat
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import vn.khaibao.demo.CheckInService
import vn.khaibao.demo.CheckInState
import vn.khaibao.demo.CheckInViewModel
import vn.khaibao.demo.CoreValidator
import vn.khaibao.demo.DeclarationFormViewModel
import vn.khaibao.demo.Message
import vn.khaibao.demo.Str
import vn.khaibao.demo.venueCard

@Composable
fun CheckInScreen(service: CheckInService, onCheckedIn: () -> Unit) {
    val context = LocalContext.current
    val t = texts()
    val vm = remember { CheckInViewModel(service) }
    var tick by rememberTick()
    val scope = rememberCoroutineScope()
    // View-model calls that reach the library suspend; each runs in the screen's scope and
    // re-renders when done.
    val act: (suspend () -> Unit) -> Unit = { block -> scope.launch { block(); tick++ } }
    val permission = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        act { vm.onPermissionResult(granted) }
    }
    LaunchedEffect(Unit) {
        val granted = ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED
        act { vm.start(if (granted) true else null) }
        if (!granted) permission.launch(Manifest.permission.CAMERA)
    }
    // Reading `tick` makes every view-model call re-render this screen.
    Announce(if (tick >= 0) vm.takeAnnouncement() else null)
    val error = vm.error?.let(t::of)
    Column(Modifier.fillMaxSize().padding(16.dp)) {
        when (val s = vm.state) {
            CheckInState.AskingPermission -> Text(stringRes(R.string.camera_permission_needed))
            CheckInState.PermissionDenied -> {
                Text(text(Message(Str.camera_permission_denied)))
                Button(onClick = { permission.launch(Manifest.permission.CAMERA) }) { Text(stringRes(R.string.ask_again)) }
                Button(onClick = { act { vm.openManualEntry() } }) { Text(text(Message(Str.enter_code_manually))) }
            }
            CheckInState.Scanning -> {
                var torch by remember { mutableStateOf(false) }
                Text(text(Message(Str.scan_hint)))
                CameraScanner(vm.gate, torch, stringRes(R.string.camera_description), Modifier.fillMaxWidth().weight(1f)) { code ->
                    act { vm.onScanned(code) }
                }
                Switch(checked = torch, onCheckedChange = { torch = it }, modifier = Modifier.padding(4.dp))
                Text(stringRes(R.string.torch))
                OutlinedButton(onClick = { act { vm.openManualEntry() } }) { Text(text(Message(Str.enter_code_manually))) }
                OutlinedButton(onClick = { act { vm.cancel() } }) { Text(stringRes(R.string.back)) }
            }
            is CheckInState.ManualEntry -> Column(Modifier.verticalScroll(rememberScrollState())) {
                LabelledField(R.string.manual_code, s.typed, error, hint = "0101 0001 27") { act { vm.typeManual(it) } }
                Button(onClick = { act { vm.submitManual() } }) { Text(stringRes(R.string.continue_)) }
                OutlinedButton(onClick = { act { vm.cancel() } }) { Text(stringRes(R.string.back)) }
            }
            is CheckInState.Confirming -> Column(Modifier.verticalScroll(rememberScrollState())) {
                val card = venueCard(s.venue.info)
                Text(card.title, style = MaterialTheme.typography.headlineSmall)
                card.category?.let { Text(text(it)) }
                Text(card.subtitle)
                card.warning?.let { Text(text(it), color = MaterialTheme.colorScheme.error) }
                error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                Button(onClick = { act { vm.confirm(withDeclaration = true) } }) { Text(stringRes(R.string.declare_and_check_in)) }
                OutlinedButton(onClick = {
                    act {
                        vm.confirm(withDeclaration = false)
                        if (vm.state is CheckInState.Active) onCheckedIn()
                    }
                }) { Text(stringRes(R.string.check_in_only)) }
                OutlinedButton(onClick = { act { vm.cancel() } }) { Text(stringRes(R.string.cancel)) }
            }
            is CheckInState.Declaring -> {
                val units = units()
                val form = remember(s.venue) { DeclarationFormViewModel(CoreValidator, t.language, units) }
                DeclarationScreen(form, onCancel = { act { vm.cancel() } }) {
                    act {
                        vm.submitDeclaration(form)
                        if (vm.state is CheckInState.Active) onCheckedIn()
                    }
                }
            }
            is CheckInState.Active -> {
                LaunchedEffect(s.visit.id) {
                    while (true) {
                        delay(30_000)
                        act { vm.tick() }
                    }
                }
                Text(s.visit.venueName, style = MaterialTheme.typography.headlineSmall)
                vm.activeLines(s.visit).forEach { Text(text(it)) }
                error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                Button(onClick = { act { vm.checkOut() } }) { Text(stringRes(R.string.check_out)) }
                OutlinedButton(onClick = { act { vm.scanNext() } }) { Text(stringRes(R.string.scan_next)) }
            }
        }
    }
}
