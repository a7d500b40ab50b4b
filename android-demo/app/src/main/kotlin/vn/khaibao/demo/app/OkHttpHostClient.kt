// The host HTTP client on Android: OkHttp, so the app's proxy, certificate pinning and
// network policy apply to uploads too.

package vn.khaibao.demo.app

import java.io.IOException
import java.io.InterruptedIOException
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import okhttp3.Headers
import okhttp3.MediaType.Companion.toMediaTypeOrNull
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import vn.khaibao.HostHttpClient
import vn.khaibao.HostHttpException
import vn.khaibao.HostHttpResponse
import vn.khaibao.core.HttpHeader
import vn.khaibao.core.HttpRequest

class OkHttpHostClient(
    private val client: OkHttpClient = OkHttpClient.Builder()
        .connectTimeout(10, TimeUnit.SECONDS)
        .callTimeout(30, TimeUnit.SECONDS)
        .build(),
) : HostHttpClient {
    // OkHttp's blocking call runs on the IO dispatcher, off the caller's thread.
    override suspend fun send(request: HttpRequest): HostHttpResponse = withContext(Dispatchers.IO) {
        val headers = Headers.Builder().apply { request.headers.forEach { add(it.name, it.value) } }.build()
        val contentType = request.headers.firstOrNull { it.name.equals("content-type", true) }?.value
        val body = if (request.method == "GET") null else request.body.toRequestBody(contentType?.toMediaTypeOrNull())
        val call = client.newCall(Request.Builder().url(request.url).headers(headers).method(request.method, body).build())
        try {
            call.execute().use { response ->
                HostHttpResponse(
                    status = response.code,
                    headers = response.headers.map { (name, value) -> HttpHeader(name, value) },
                    body = response.body.bytes(),
                )
            }
        } catch (e: InterruptedIOException) {
            throw HostHttpException.Timeout()
        } catch (e: IOException) {
            throw HostHttpException.Network(e.javaClass.simpleName)
        }
    }
}
