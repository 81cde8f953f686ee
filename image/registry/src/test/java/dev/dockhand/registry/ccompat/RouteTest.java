package dev.dockhand.registry.ccompat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RouteTest {
    @Test
    void namesTheKindAndWhatThePathNames() {
        assertEquals(new Route(Route.Kind.GLOBAL_CONFIG, null, null, null), Route.of("/apis/ccompat/v7/config"));
        assertEquals(new Route(Route.Kind.SUBJECT_CONFIG, "orders-value", null, null), Route.of("/apis/ccompat/v7/config/orders-value"));
        assertEquals(new Route(Route.Kind.MODE, null, null, null), Route.of("/apis/ccompat/v6/mode"));
        assertEquals(new Route(Route.Kind.MODE, "s", null, null), Route.of("/apis/ccompat/v7/mode/s"));
        assertEquals(new Route(Route.Kind.COMPATIBILITY, "s", "latest", null),
                Route.of("/apis/ccompat/v7/compatibility/subjects/s/versions/latest"));
        assertEquals(new Route(Route.Kind.COMPATIBILITY, "s", null, null), Route.of("/apis/ccompat/v7/compatibility/subjects/s/versions"));
        assertEquals(new Route(Route.Kind.SUBJECT_VERSIONS, "s", null, null), Route.of("/apis/ccompat/v7/subjects/s/versions"));
        assertEquals(new Route(Route.Kind.OTHER, "s", "3", null), Route.of("/apis/ccompat/v7/subjects/s/versions/3"));
        assertEquals(new Route(Route.Kind.OTHER, "s", null, null), Route.of("/apis/ccompat/v7/subjects/s"));
        assertEquals(new Route(Route.Kind.OTHER, null, null, "12"), Route.of("/apis/ccompat/v7/schemas/ids/12"));
        assertEquals(new Route(Route.Kind.OTHER, null, null, null), Route.of("/apis/ccompat/v7"));
    }

    @Test
    void decodesSubjectsAndLeavesOtherApisAlone() {
        assertEquals("a b/c+d", Route.of("/apis/ccompat/v7/config/a%20b%2Fc+d").subject());
        assertNull(Route.of("/apis/registry/v2/admin/rules"));
        assertNull(Route.of("/health/ready"));
        assertNull(Route.of("/apis/ccompatible/v7/config"));
    }
}
