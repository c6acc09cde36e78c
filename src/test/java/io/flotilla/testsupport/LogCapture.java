package io.flotilla.testsupport;

import org.jboss.logmanager.ExtLogRecord;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Every log line of the running service (message, level and any stack trace) while installed: for assertions. */
public final class LogCapture extends Handler implements AutoCloseable {

    public record Line(Level level, String logger, String text) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private LogCapture() {
    }

    public static LogCapture install() {
        LogCapture capture = new LogCapture();
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    @Override
    public void publish(LogRecord record) {
        String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text = text + "\n" + trace;
        }
        lines.add(new Line(record.getLevel(), record.getLoggerName(), String.valueOf(text)));
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Everything captured, one line per record. */
    public String text() {
        StringBuilder all = new StringBuilder();
        lines.forEach(l -> all.append(l.level()).append(' ').append(l.logger()).append(": ").append(l.text()).append('\n'));
        return all.toString();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
