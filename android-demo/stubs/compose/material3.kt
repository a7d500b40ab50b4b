// Mirrors: androidx.compose.material3 1.4.0 (Compose BOM 2025.10.01).
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("Material3Stubs")

package androidx.compose.material3

import androidx.compose.foundation.layout.RowScope
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.TextStyle

class Typography {
    val headlineSmall: TextStyle get() = throw NotImplementedError("stub")
    val titleLarge: TextStyle get() = throw NotImplementedError("stub")
    val titleMedium: TextStyle get() = throw NotImplementedError("stub")
    val bodyLarge: TextStyle get() = throw NotImplementedError("stub")
}

class ColorScheme {
    val error: Color get() = throw NotImplementedError("stub")
}

object MaterialTheme {
    val typography: Typography
        @Composable get() = throw NotImplementedError("stub")
    val colorScheme: ColorScheme
        @Composable get() = throw NotImplementedError("stub")
}

@Composable
fun MaterialTheme(content: @Composable () -> Unit): Unit = throw NotImplementedError("stub")

@Composable
fun Text(text: String, modifier: Modifier = Modifier, color: Color = Color.Unspecified, style: TextStyle = TextStyle()): Unit =
    throw NotImplementedError("stub")

@Composable
fun Button(onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true, content: @Composable RowScope.() -> Unit): Unit =
    throw NotImplementedError("stub")

@Composable
fun OutlinedButton(onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true, content: @Composable RowScope.() -> Unit): Unit =
    throw NotImplementedError("stub")

@Composable
fun TextButton(onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true, content: @Composable RowScope.() -> Unit): Unit =
    throw NotImplementedError("stub")

@Composable
fun OutlinedTextField(
    value: String,
    onValueChange: (String) -> Unit,
    modifier: Modifier = Modifier,
    label: @Composable (() -> Unit)? = null,
    placeholder: @Composable (() -> Unit)? = null,
    supportingText: @Composable (() -> Unit)? = null,
    isError: Boolean = false,
): Unit = throw NotImplementedError("stub")

@Composable
fun Checkbox(checked: Boolean, onCheckedChange: ((Boolean) -> Unit)?, modifier: Modifier = Modifier): Unit =
    throw NotImplementedError("stub")

@Composable
fun RadioButton(selected: Boolean, onClick: (() -> Unit)?, modifier: Modifier = Modifier): Unit =
    throw NotImplementedError("stub")

@Composable
fun Switch(checked: Boolean, onCheckedChange: ((Boolean) -> Unit)?, modifier: Modifier = Modifier): Unit =
    throw NotImplementedError("stub")
