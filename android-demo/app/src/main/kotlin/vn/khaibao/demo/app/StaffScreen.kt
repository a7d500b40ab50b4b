// Staff mode at a venue's door: scan visitors' personal passes (verified on the phone, no
// network needed), see entry or exit with the pass's status colour, today's list and the
// day's report, and export the report as CSV.

package vn.khaibao.demo.app

import android.content.Intent
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import java.io.File
import kotlinx.coroutines.launch
import vn.khaibao.VenueStaff
import vn.khaibao.demo.DoorDirection
import vn.khaibao.demo.DoorLogViewModel
import vn.khaibao.demo.DoorResult
import vn.khaibao.demo.LibraryDoorLog
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
                listOf(TrustedKey(hex(BuildConfigKeys.VENUE_KID), hex(BuildConfigKeys.VENUE_SIGNING))),
            )
        })
    }
    var tick by rememberTick()
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { vm.refresh(); tick++ }
    Announce(if (tick >= 0) vm.takeAnnouncement() else null)
    Column(Modifier.padding(16.dp)) {
        Text(text(Message(Str.door_offline)))
        CameraScanner(vm.gate, false, stringRes(R.string.camera_description), Modifier.fillMaxWidth().height(280.dp)) { code ->
            scope.launch {
                vm.onScanned(code)
                tick++
            }
        }
        when (val last = vm.last) {
            is DoorResult.Admitted -> {
                val a = last.admission
                val key = if (a.direction == DoorDirection.ENTRY) Str.door_entry else Str.door_exit
                Text(text(Message(key, listOf(statusKey(a.status)))), style = MaterialTheme.typography.headlineSmall)
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
