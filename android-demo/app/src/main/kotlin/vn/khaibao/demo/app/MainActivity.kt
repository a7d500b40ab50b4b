// The demo's screens in Jetpack Compose: scan → venue confirmation → declaration form (with
// core's field errors) → diary. The state logic is the shared module's (tested on the JVM).

package vn.khaibao.demo.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.camera.core.CameraSelector
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.Preview
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalLifecycleOwner
import androidx.compose.ui.unit.dp
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import java.util.concurrent.Executors
import vn.khaibao.KhaibaoException
import vn.khaibao.core.ScannedVenue
import vn.khaibao.demo.DeclarationFormModel
import vn.khaibao.demo.Language
import vn.khaibao.demo.diaryRows
import vn.khaibao.demo.outboxStatus
import vn.khaibao.demo.venueCard

class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = (application as KhaibaoApplication).khaibao
        setContent {
            MaterialTheme {
                var scanned by remember { mutableStateOf<ScannedVenue?>(null) }
                var showForm by remember { mutableStateOf(false) }
                var message by remember { mutableStateOf<String?>(null) }
                val current = scanned
                when {
                    current == null -> ScanScreen(onText = { text ->
                        try {
                            scanned = app.readVenue(text)
                        } catch (e: KhaibaoException.Venue) {
                            message = e.messageVi
                        } catch (e: KhaibaoException.Format) {
                            message = e.messageVi
                        }
                    }, message = message)
                    showForm -> DeclarationScreen(onSubmit = { declaration, model ->
                        try {
                            app.checkIn(current, declaration)
                            scanned = null
                            showForm = false
                        } catch (e: KhaibaoException.Validation) {
                            model.show(e.fields)
                        }
                    })
                    else -> ConfirmScreen(current, onCheckIn = { showForm = true }, onCancel = { scanned = null })
                }
            }
        }
    }
}

@Composable
fun ScanScreen(onText: (String) -> Unit, message: String?) {
    val owner = LocalLifecycleOwner.current
    Column(Modifier.fillMaxSize()) {
        AndroidView(modifier = Modifier.weight(1f), factory = { context ->
            val view = PreviewView(context)
            val providerFuture = ProcessCameraProvider.getInstance(context)
            providerFuture.addListener({
                val provider = providerFuture.get()
                val preview = Preview.Builder().build().also { it.surfaceProvider = view.surfaceProvider }
                val analysis = ImageAnalysis.Builder()
                    .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
                    .build()
                val main = ContextCompat.getMainExecutor(context)
                analysis.setAnalyzer(Executors.newSingleThreadExecutor(), QrAnalyzer { text -> main.execute { onText(text) } })
                provider.unbindAll()
                provider.bindToLifecycle(owner, CameraSelector.DEFAULT_BACK_CAMERA, preview, analysis)
            }, ContextCompat.getMainExecutor(context))
            view
        })
        message?.let { Text(it, Modifier.padding(16.dp)) }
    }
}

@Composable
fun ConfirmScreen(venue: ScannedVenue, onCheckIn: () -> Unit, onCancel: () -> Unit) {
    val card = venueCard(venue)
    Column(Modifier.padding(16.dp)) {
        Text(card.title, style = MaterialTheme.typography.headlineSmall)
        Text(card.subtitle)
        card.warning?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        Button(onClick = onCheckIn) { Text("Khai báo và check-in") }
        Button(onClick = onCancel) { Text("Huỷ") }
    }
}

@Composable
fun DeclarationScreen(onSubmit: (vn.khaibao.core.Declaration, DeclarationFormModel) -> Unit) {
    val model = remember { DeclarationFormModel(Language.VI) }
    var form by remember { mutableStateOf(model.form) }
    var errors by remember { mutableStateOf(model.errors) }
    Column(Modifier.padding(16.dp)) {
        OutlinedTextField(form.fullName, { v -> model.update { it.copy(fullName = v) }; form = model.form }, label = { Text("Họ và tên") },
            isError = errors.of("full_name") != null, supportingText = { errors.of("full_name")?.let { Text(it) } })
        OutlinedTextField(form.birthYear, { v -> model.update { it.copy(birthYear = v) }; form = model.form }, label = { Text("Năm sinh") },
            isError = errors.of("birth_year") != null, supportingText = { errors.of("birth_year")?.let { Text(it) } })
        OutlinedTextField(form.phone, { v -> model.update { it.copy(phone = v) }; form = model.form }, label = { Text("Số điện thoại") },
            isError = errors.of("phone") != null, supportingText = { errors.of("phone")?.let { Text(it) } })
        OutlinedTextField(form.province, { v -> model.update { it.copy(province = v) }; form = model.form }, label = { Text("Mã tỉnh") },
            isError = errors.of("province") != null, supportingText = { errors.of("province")?.let { Text(it) } })
        Button(onClick = {
            val declaration = model.submit()
            errors = model.errors
            if (declaration != null) {
                onSubmit(declaration, model)
                errors = model.errors
            }
        }) { Text("Gửi tờ khai") }
    }
}

@Composable
fun DiaryScreen(app: vn.khaibao.Khaibao) {
    val rows = remember { diaryRows(app.diary()) }
    Column(Modifier.padding(16.dp)) {
        Text(outboxStatus(app.outboxCounts()))
        LazyColumn {
            items(rows) { row -> Text("${row.venue}\n${row.period}", Modifier.padding(vertical = 8.dp)) }
        }
    }
}
