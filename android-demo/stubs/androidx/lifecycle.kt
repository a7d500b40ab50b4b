// Mirrors: androidx.lifecycle:lifecycle-common 2.9.4 and lifecycle-runtime-compose 2.9.4.
@file:Suppress("unused")

package androidx.lifecycle

interface LifecycleOwner
