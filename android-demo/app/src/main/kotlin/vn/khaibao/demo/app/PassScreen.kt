// The personal pass: the person fills in (or reuses) the declaration, the device registers
// once, and the screen shows the pass as a QR code with its countdown, renewing it before it
// expires. The QR is drawn with ZXing.

package vn.khaibao.demo.app

import android.graphics.Bitmap
import android.graphics.Color
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.unit.dp
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import vn.khaibao.demo.CoreValidator
import vn.khaibao.demo.DeclarationFormViewModel
import vn.khaibao.demo.PassService
import vn.khaibao.demo.PassState
import vn.khaibao.demo.PassViewModel
import vn.khaibao.demo.Settings

fun qrBitmap(text: String, size: Int = 720): Bitmap {
    val matrix = QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, size, size)
    val bitmap = Bitmap.createBitmap(size, size, Bitmap.Config.ARGB_8888)
    for (y in 0 until size) for (x in 0 until size) bitmap.setPixel(x, y, if (matrix.get(x, y)) Color.BLACK else Color.WHITE)
    return bitmap
}

@Composable
fun PassScreen(service: PassService, settings: Settings) {
    val t = texts()
    val scope = rememberCoroutineScope()
    val vm = remember { PassViewModel(service, settings) }
    val form = remember { DeclarationFormViewModel(CoreValidator, t.language, units()) }
    var tick by rememberTick()
    var showName by remember { mutableStateOf(false) }
    when (val s = if (tick >= 0) vm.state else vm.state) {
        PassState.NeedsDeclaration -> Column {
            LabelledCheck(stringRes(R.string.show_name_on_pass), showName) { showName = it }
            DeclarationScreen(form, onCancel = {}) {
                form.submit()?.let { input -> scope.launch { vm.show(input, showName); tick++ } }
                tick++
            }
        }
        PassState.Registering -> Text(text(vn.khaibao.demo.Message(vn.khaibao.demo.Str.pass_registering)), Modifier.padding(16.dp))
        is PassState.Failed -> Column(Modifier.padding(16.dp)) {
            Text(t.of(s.error), color = MaterialTheme.colorScheme.error)
            Button(onClick = { form.submit()?.let { input -> scope.launch { vm.show(input, showName); tick++ } } }) { Text(stringRes(R.string.try_again)) }
        }
        is PassState.Showing -> Column(Modifier.padding(16.dp)) {
            LaunchedEffect(Unit) {
                while (true) {
                    delay(1000)
                    vm.tick()
                    tick++
                }
            }
            val bitmap = remember(s.text) { qrBitmap(s.text).asImageBitmap() }
            Image(bitmap = bitmap, contentDescription = stringRes(R.string.pass_qr_description))
            Text(text(vm.countdown()), style = MaterialTheme.typography.headlineSmall)
        }
    }
}
