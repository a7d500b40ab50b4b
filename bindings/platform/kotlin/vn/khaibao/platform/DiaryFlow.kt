// The thin Kotlin layer over the generated binding: the diary as a cold Flow that emits the
// visits now and again after every change (check-in, check-out, edit), for a Compose screen
// or a ViewModel's StateFlow. The library's calls are already `suspend`; nothing here picks
// a thread.

package vn.khaibao.platform

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.channels.BufferOverflow
import vn.khaibao.Diary
import vn.khaibao.DiaryListener
import vn.khaibao.Visit

/** Emits the diary (newest first) on collection and after every change until cancelled. */
fun Diary.visitsFlow(): Flow<List<Visit>> = callbackFlow {
    val watch = watch(object : DiaryListener {
        override fun onDiaryChanged() {
            trySend(Unit)
        }
    })
    send(Unit)
    awaitClose { watch.stop() }
}.buffer(1, BufferOverflow.DROP_OLDEST).map { visits() }
