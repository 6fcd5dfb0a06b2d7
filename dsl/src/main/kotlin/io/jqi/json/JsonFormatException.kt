package io.jqi.json

/** A JSON document that jqi cannot accept; the message names the source, the key path and what to change. */
class JsonFormatException(message: String, cause: Throwable? = null) : IllegalArgumentException(message, cause)
