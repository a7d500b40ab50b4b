// Mirrors: androidx.compose.ui:ui-text 1.9 (TextStyle).
@file:Suppress("unused")

package androidx.compose.ui.text

class TextStyle
