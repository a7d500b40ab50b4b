// The declaration form's province and commune pickers: the chosen name with a button to
// change it, then a search field (with or without diacritics) and the best matches as
// buttons. The list is short (no lazy list inside the scrolling form); the search itself is
// the view models' (vn.khaibao.demo.AdministrativeUnits).

package vn.khaibao.demo.app

import androidx.compose.foundation.layout.Column
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.platform.LocalContext
import vn.khaibao.demo.AdministrativeUnits

/** How many matches the picker lists at once: type more to narrow them. */
private const val SHOWN_MATCHES = 8

/** Today's provinces and communes, loaded once by the application. */
@Composable
fun units(): AdministrativeUnits {
    val context = LocalContext.current
    return remember { (context.applicationContext as KhaibaoApplication).units }
}

@Composable
fun <T> SearchPicker(
    label: Int,
    chosen: String?,
    error: String?,
    enabled: Boolean,
    search: (String) -> List<T>,
    name: (T) -> String,
    onChoose: (T) -> Unit,
) {
    var open by remember { mutableStateOf(false) }
    var query by remember { mutableStateOf("") }
    Column {
        Text(stringRes(label), style = MaterialTheme.typography.titleMedium)
        if (!open) {
            Text(chosen ?: stringRes(R.string.not_chosen))
            error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            if (enabled) {
                OutlinedButton(onClick = { query = ""; open = true }) { Text(stringRes(R.string.change_choice)) }
            } else {
                Text(stringRes(R.string.choose_province_first))
            }
        } else {
            LabelledField(R.string.search_units, query, error) { query = it }
            for (item in search(query).take(SHOWN_MATCHES)) {
                TextButton(onClick = { onChoose(item); open = false }) { Text(name(item)) }
            }
            OutlinedButton(onClick = { open = false }) { Text(stringRes(R.string.cancel)) }
        }
    }
}
