package dev.pier.api.routes;

import dev.pier.api.ApiException;
import dev.pier.api.Handler;
import dev.pier.engine.EngineException;
import dev.pier.ipam.IpamException;
import dev.pier.ports.PortUnavailableException;

/** Maps the engine's refusals to Docker's status codes, in one place. */
final class Errors {
    private Errors() {}

    static Handler mapped(Handler handler) {
        return request -> {
            try {
                return handler.handle(request);
            } catch (EngineException e) {
                throw switch (e.kind()) {
                    case NOT_FOUND -> ApiException.notFound(e.getMessage());
                    case CONFLICT -> ApiException.conflict(e.getMessage());
                    case INVALID -> ApiException.badRequest(e.getMessage());
                    case FORBIDDEN -> ApiException.forbidden(e.getMessage());
                    case NOT_MODIFIED -> ApiException.notModified();
                };
            } catch (PortUnavailableException e) {
                throw ApiException.internal(e.getMessage());
            } catch (IpamException | IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        };
    }
}
