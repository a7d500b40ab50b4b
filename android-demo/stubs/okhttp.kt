// Mirrors: com.squareup.okhttp3:okhttp 5.5.1.
@file:Suppress("unused", "UNUSED_PARAMETER")

package okhttp3

import java.io.Closeable
import java.util.concurrent.TimeUnit

class MediaType {
    companion object {
        @JvmStatic @JvmName("parse") fun String.toMediaTypeOrNull(): MediaType? = throw NotImplementedError("stub")
    }
}

abstract class RequestBody {
    companion object {
        @JvmStatic @JvmName("create") @JvmOverloads
        fun ByteArray.toRequestBody(contentType: MediaType? = null, offset: Int = 0, byteCount: Int = size): RequestBody =
            throw NotImplementedError("stub")
    }
}

abstract class ResponseBody : Closeable {
    fun bytes(): ByteArray = throw NotImplementedError("stub")
}

class Headers : Iterable<Pair<String, String>> {
    override fun iterator(): Iterator<Pair<String, String>> = throw NotImplementedError("stub")
    class Builder {
        fun add(name: String, value: String): Builder = throw NotImplementedError("stub")
        fun build(): Headers = throw NotImplementedError("stub")
    }
}

class Request {
    class Builder {
        fun url(url: String): Builder = throw NotImplementedError("stub")
        fun headers(headers: Headers): Builder = throw NotImplementedError("stub")
        fun method(method: String, body: RequestBody?): Builder = throw NotImplementedError("stub")
        fun build(): Request = throw NotImplementedError("stub")
    }
}

class Response : Closeable {
    val code: Int get() = throw NotImplementedError("stub")
    val headers: Headers get() = throw NotImplementedError("stub")
    val body: ResponseBody get() = throw NotImplementedError("stub")
    override fun close(): Unit = throw NotImplementedError("stub")
}

interface Call {
    fun execute(): Response
}

class OkHttpClient {
    fun newCall(request: Request): Call = throw NotImplementedError("stub")
    class Builder {
        fun connectTimeout(timeout: Long, unit: TimeUnit): Builder = throw NotImplementedError("stub")
        fun callTimeout(timeout: Long, unit: TimeUnit): Builder = throw NotImplementedError("stub")
        fun build(): OkHttpClient = throw NotImplementedError("stub")
    }
}
