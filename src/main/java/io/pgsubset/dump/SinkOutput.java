package io.pgsubset.dump;

import java.io.OutputStream;

/** Where a {@link DataFileSink} puts its (compressed) bytes: closed with the sink. */
abstract class SinkOutput extends OutputStream {
    /** Releases the file after a failure, without flushing or syncing: the dump fails with its own error. */
    abstract void closeQuietly();
}
