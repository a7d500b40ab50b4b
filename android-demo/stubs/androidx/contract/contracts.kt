// Mirrors: androidx.activity:activity 1.12.0 (androidx.activity.result.contract).
@file:Suppress("unused")

package androidx.activity.result.contract

abstract class ActivityResultContract<I, O>

class ActivityResultContracts {
    class RequestPermission : ActivityResultContract<String, Boolean>()
}
