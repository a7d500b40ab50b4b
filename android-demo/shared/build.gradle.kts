// Platform-free Kotlin: the generated binding (build/generated/uniffi, written by
// build-android.sh) and the demo's view-model logic. The same sources compile with kotlinc on
// the JVM in the repository's test command.
plugins { id("org.jetbrains.kotlin.jvm") }

kotlin { jvmToolchain(17) }

sourceSets {
    main { kotlin.srcDir(layout.buildDirectory.dir("generated/uniffi")) }
}

dependencies {
    // JNA as a plain jar here; the app module uses the Android AAR.
    compileOnly("net.java.dev.jna:jna:5.15.0")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.9.0")
}
