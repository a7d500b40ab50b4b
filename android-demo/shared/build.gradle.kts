// Platform-free Kotlin: the demo's view models and ports, the adapter to the generated binding
// (build/generated/uniffi, written by build-android.sh), and the view-model tests with fake
// ports (src/test, run by the repository's test command through check-demo.sh).
plugins { id("org.jetbrains.kotlin.jvm") }

kotlin { jvmToolchain(17) }

sourceSets {
    main { kotlin.srcDir(layout.buildDirectory.dir("generated/uniffi")) }
}

dependencies {
    // JNA as a plain jar here; the app module uses the Android AAR.
    compileOnly("net.java.dev.jna:jna:5.19.1")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
}
