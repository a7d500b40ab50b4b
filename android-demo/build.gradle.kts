// Versions: Android Gradle Plugin 8.13 (compileSdk/targetSdk 36), Kotlin 2.4.21 (the
// compiler the repository's tests use is 2.4.x), Compose compiler plugin of the same Kotlin.
plugins {
    id("com.android.application") version "8.13.0" apply false
    id("org.jetbrains.kotlin.android") version "2.4.21" apply false
    id("org.jetbrains.kotlin.jvm") version "2.4.21" apply false
    id("org.jetbrains.kotlin.plugin.compose") version "2.4.21" apply false
}
