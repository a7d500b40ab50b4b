// Small pieces the screens share: texts in the chosen language, announcements for TalkBack,
// labelled fields with core's error under them, and the re-render trigger for view models.

package vn.khaibao.demo.app

import androidx.compose.foundation.layout.Row
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.MutableState
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalView
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import vn.khaibao.demo.Message

@Composable
fun texts(): Texts {
    val context = LocalContext.current
    return remember { Texts(context) }
}

@Composable
fun stringRes(id: Int): String = texts().of(id)

@Composable
fun text(message: Message): String = texts().of(message)

/** The view models are plain classes: screens bump this after each call to re-render. */
@Composable
fun rememberTick(): MutableState<Int> = remember { mutableStateOf(0) }

/** Speaks `message` once with TalkBack (e.g. "venue read: …"). */
@Composable
fun Announce(message: Message?) {
    val view = LocalView.current
    val t = texts()
    LaunchedEffect(message) {
        if (message != null) view.announceForAccessibility(t.of(message))
    }
}

@Composable
fun LabelledField(label: Int, value: String, error: String?, hint: String? = null, onChange: (String) -> Unit) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(stringRes(label)) },
        placeholder = hint?.let { { Text(it) } },
        isError = error != null,
        supportingText = error?.let { { Text(it, color = MaterialTheme.colorScheme.error) } },
    )
}

@Composable
fun LabelledCheck(label: String, checked: Boolean, onChange: (Boolean) -> Unit) {
    Row {
        Checkbox(checked = checked, onCheckedChange = onChange, modifier = Modifier.semantics { contentDescription = label })
        Text(label)
    }
}
