// Mirrors: com.google.guava:listenablefuture 1.0 (what CameraX returns).
@file:Suppress("unused")

package com.google.common.util.concurrent

import java.util.concurrent.Executor
import java.util.concurrent.Future

interface ListenableFuture<V> : Future<V> {
    fun addListener(listener: Runnable, executor: Executor)
}
