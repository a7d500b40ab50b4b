// First start: choose the language, read what the app keeps on the phone and for how long,
// and why it asks for the camera. Scrolls, for large text sizes.

package vn.khaibao.demo.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import vn.khaibao.demo.Language
import vn.khaibao.demo.Message
import vn.khaibao.demo.OnboardingStep
import vn.khaibao.demo.OnboardingViewModel
import vn.khaibao.demo.Str

@Composable
fun OnboardingScreen(vm: OnboardingViewModel, onDone: () -> Unit) {
    var tick by rememberTick()
    Column(Modifier.verticalScroll(rememberScrollState()).padding(24.dp)) {
        when (if (tick >= 0) vm.step else vm.step) {
            OnboardingStep.LANGUAGE -> {
                Text(text(Message(Str.onboarding_language)))
                Button(onClick = { vm.choose(Language.VI); tick++ }) { Text("Tiếng Việt") }
                OutlinedButton(onClick = { vm.choose(Language.EN); tick++ }) { Text("English") }
            }
            OnboardingStep.STORED -> {
                Text(text(vm.storedText()))
                Button(onClick = { vm.next(); tick++ }) { Text(stringRes(R.string.continue_)) }
            }
            OnboardingStep.CAMERA -> {
                Text(text(Message(Str.onboarding_camera)))
                Button(onClick = { vm.next(); onDone() }) { Text(stringRes(R.string.start)) }
            }
            OnboardingStep.DONE -> onDone()
        }
    }
}
