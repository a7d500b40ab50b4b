// The diary: visits newest first with their times, the upload status, editing a visit's
// times, deleting a visit (after a confirmation) and exporting it as CSV through the share
// sheet. An exposure notification opens it
// at the matching visit (`highlight`).

package vn.khaibao.demo.app

import android.content.Intent
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
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
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import java.time.LocalDateTime
import java.time.format.DateTimeFormatter
import kotlinx.coroutines.launch
import vn.khaibao.demo.VisitDiary
import vn.khaibao.demo.DiaryViewModel
import vn.khaibao.demo.VIETNAM
import vn.khaibao.demo.formatTime
import vn.khaibao.demo.visitForAlert

private val typed = DateTimeFormatter.ofPattern("HH:mm dd/MM/yyyy")

private fun parseTime(text: String): Long? =
    runCatching { LocalDateTime.parse(text.trim(), typed).atZone(VIETNAM).toEpochSecond() }.getOrNull()

@Composable
fun DiaryScreen(diary: VisitDiary, highlight: Long?) {
    val context = LocalContext.current
    val t = texts()
    val scope = rememberCoroutineScope()
    val vm = remember { DiaryViewModel(diary) }
    var tick by rememberTick()
    var editing by remember { mutableStateOf<Long?>(null) }
    var start by remember { mutableStateOf("") }
    var end by remember { mutableStateOf("") }
    // Opens the editor of one visit with its current times.
    val edit: suspend (Long) -> Unit = { id ->
        visitForAlert(diary, id)?.let {
            start = formatTime(it.checkedInAt)
            end = formatTime(it.checkedOutAt ?: it.autoCheckoutAt)
            editing = id
        }
    }
    LaunchedEffect(highlight) {
        vm.refresh()
        highlight?.let { edit(it) }
        tick++
    }
    Announce(if (tick >= 0) vm.takeAnnouncement() else null)
    Column(Modifier.padding(16.dp)) {
        Text(if (tick >= 0) text(vm.status) else "")
        vm.error?.let { Text(t.of(it), color = MaterialTheme.colorScheme.error) }
        OutlinedButton(onClick = {
            scope.launch {
                val share = Intent(Intent.ACTION_SEND).setType("text/csv").putExtra(Intent.EXTRA_TEXT, vm.export(t.language))
                context.startActivity(Intent.createChooser(share, t.of(R.string.export_diary)))
            }
        }) { Text(stringRes(R.string.export_diary)) }
        LazyColumn {
            items(vm.rows) { row ->
                val label = row.venue + ", " + text(row.period)
                Column(Modifier.padding(vertical = 8.dp).semantics { contentDescription = label }) {
                    Text(row.venue, style = if (row.id == highlight) MaterialTheme.typography.titleLarge else MaterialTheme.typography.bodyLarge)
                    Text(text(row.period))
                    if (!row.verified) Text(stringRes(R.string.unverified_visit))
                    val question = vm.deleteQuestion
                    if (vm.deleting?.id == row.id && question != null) {
                        Text(text(question))
                        OutlinedButton(onClick = {
                            scope.launch {
                                vm.confirmDelete()
                                tick++
                            }
                        }) { Text(stringRes(R.string.delete_visit)) }
                        OutlinedButton(onClick = { vm.cancelDelete(); tick++ }) { Text(stringRes(R.string.cancel)) }
                    } else if (editing == row.id) {
                        LabelledField(R.string.checked_in_time, start, null, "HH:mm dd/MM/yyyy") { start = it }
                        LabelledField(R.string.checked_out_time, end, null, "HH:mm dd/MM/yyyy") { end = it }
                        OutlinedButton(onClick = {
                            scope.launch {
                                val a = parseTime(start)
                                val b = parseTime(end)
                                if (a != null && b != null && vm.edit(row.id, a, b)) editing = null
                                tick++
                            }
                        }) { Text(stringRes(R.string.save)) }
                    } else {
                        OutlinedButton(onClick = { scope.launch { edit(row.id) } }) { Text(stringRes(R.string.edit_times)) }
                        OutlinedButton(onClick = { vm.askDelete(row.id); tick++ }) { Text(stringRes(R.string.delete_visit)) }
                    }
                }
            }
        }
    }
}
