package io.jqi.json

import java.io.IOException
import java.nio.charset.MalformedInputException
import java.nio.file.AccessDeniedException
import java.nio.file.NoSuchFileException
import java.nio.file.Path

/** A JSON document that jqi cannot accept; the message names the source, the key path and what to change. */
class JsonFormatException(message: String, cause: Throwable? = null) : IllegalArgumentException(message, cause) {
    companion object {
        /** The one-line error for a file of jqi's formats that could not be read at all. */
        @JvmStatic
        fun cannotRead(path: Path, e: IOException): JsonFormatException = JsonFormatException("cannot read $path: " +
            when (e) {
                is NoSuchFileException -> "no such file"
                is AccessDeniedException -> "permission denied"
                is MalformedInputException -> "it is not UTF-8 text"
                else -> e.message ?: e.javaClass.simpleName
            }, e)
    }
}
