// Mirrors: androidx.compose.ui 1.9 (androidx.compose.ui.semantics).
@file:Suppress("unused", "UNUSED_PARAMETER")
@file:JvmName("SemanticsStubs")

package androidx.compose.ui.semantics

import androidx.compose.ui.Modifier

interface SemanticsPropertyReceiver

var SemanticsPropertyReceiver.contentDescription: String
    get() = throw NotImplementedError("stub")
    set(value) = throw NotImplementedError("stub")

fun Modifier.semantics(mergeDescendants: Boolean = false, properties: SemanticsPropertyReceiver.() -> Unit): Modifier =
    throw NotImplementedError("stub")
