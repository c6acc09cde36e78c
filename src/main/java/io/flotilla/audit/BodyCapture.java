package io.flotilla.audit;

import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import java.io.IOException;

/**
 * Keeps the body a resource method was given (as the method declared it: a request record, or the text a resource
 * parses itself) for {@link AuditRecorder}'s summary, as a request property; nothing is read twice.
 */
@Provider
public class BodyCapture implements ReaderInterceptor {

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        Object body = context.proceed();
        context.setProperty(AuditRecorder.BODY, body);
        return body;
    }
}
