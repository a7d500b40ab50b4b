// Staff mode at a venue's door: scan visitors' personal passes (verified on the phone, no
// network needed), see entry or exit with the pass's status colour and whether the person
// declared it or the authority attested it, today's list and the day's report, and export
// the report as CSV.

package vn.khaibao.demo.app

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
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
import java.io.File
import kotlinx.coroutines.launch
import vn.khaibao.VenueStaff
import vn.khaibao.demo.DoorLogViewModel
import vn.khaibao.demo.DoorResult
import vn.khaibao.demo.LibraryDoorLog
import vn.khaibao.demo.admissionText
import vn.khaibao.demo.Message
import vn.khaibao.demo.Str
import vn.khaibao.demo.statusKey
import vn.khaibao.core.TrustedKey

@Composable
fun StaffScreen() {
    val context = LocalContext.current
    val t = texts()
    val vm = remember {
        DoorLogViewModel(LibraryDoorLog {
            VenueStaff.open(
                File(context.filesDir, "door.db").path,
                listOf(TrustedKey(hex(BuildConfigKeys.DEVICE_KID), hex(BuildConfigKeys.DEVICE_PUBLIC))),
            )
        })
    }
    var tick by rememberTick()
    val scope = rememberCoroutineScope()
    // The door may be opened before the check-in screen ever asked for the camera.
    var cameraGranted by remember {
        mutableStateOf(ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED)
    }
    val permission = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { cameraGranted = it }
    var torch by remember { mutableStateOf(false) }
    LaunchedEffect(Unit) {
        if (!cameraGranted) permission.launch(Manifest.permission.CAMERA)
        vm.refresh()
        tick++
    }
    Announce(if (tick >= 0) vm.takeAnnouncement() else null)
    Column(Modifier.padding(16.dp)) {
        Text(text(Message(Str.door_offline)))
        if (cameraGranted) {
            CameraScanner(vm.gate, torch, stringRes(R.string.camera_description), Modifier.fillMaxWidth().height(280.dp)) { code ->
                scope.launch {
                    vm.onScanned(code)
                    tick++
                }
            }
            Switch(checked = torch, onCheckedChange = { torch = it }, modifier = Modifier.padding(4.dp))
            Text(stringRes(R.string.torch))
        } else {
            Text(stringRes(R.string.door_camera_needed))
            OutlinedButton(onClick = { permission.launch(Manifest.permission.CAMERA) }) { Text(stringRes(R.string.ask_again)) }
        }
        when (val last = vm.last) {
            is DoorResult.Admitted -> {
                val a = last.admission
                // The colour with who vouches for it: self-declared unless the authority attested it.
                Text(text(admissionText(a)), style = MaterialTheme.typography.headlineSmall)
                a.name?.let { Text(it) }
            }
            is DoorResult.Refused -> Text(t.of(last.error), color = MaterialTheme.colorScheme.error)
            null -> {}
        }
        Text(text(Message(Str.door_report, listOf(vm.report.visitors, vm.report.stillInside))))
        OutlinedButton(onClick = {
            scope.launch {
                val share = Intent(Intent.ACTION_SEND).setType("text/csv").putExtra(Intent.EXTRA_TEXT, vm.export())
                context.startActivity(Intent.createChooser(share, t.of(R.string.export_report)))
            }
        }) { Text(stringRes(R.string.export_report)) }
        LazyColumn {
            items(vm.today) { e ->
                Text("${e.enteredAt} → ${e.exitedAt ?: "…"} · ${text(Message(statusKey(e.status)))}")
            }
        }
    }
}
