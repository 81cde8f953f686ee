package dev.dockhand.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SecretTextTest {
    @Test
    void aPasswordInsideAUrlIsMasked() {
        assertEquals("jdbc:postgresql://db:5432/registry?user=reg&password=****",
                SecretText.redact("jdbc:postgresql://db:5432/registry?user=reg&password=s3cret"));
        assertEquals("jdbc:h2:file:/data/registry;USER=sa;PASSWORD=****;MODE=PostgreSQL",
                SecretText.redact("jdbc:h2:file:/data/registry;USER=sa;PASSWORD=s3cret;MODE=PostgreSQL"));
        assertEquals("http://reg:****@registry:8081/apis", SecretText.redact("http://reg:s3cret@registry:8081/apis"));
        assertEquals("postgres://reg:****@db/x and https://host/path", SecretText.redact("postgres://reg:p%40ss@db/x and https://host/path"));
    }

    @Test
    void whatHoldsNoSecretIsLeftAsItIs() {
        for (String plain : new String[] {"jdbc:h2:file:/data/registry/registry", "http://registry:8081/apis/ccompat/v7",
                "b-1.kafka1.test:9091,b-2.kafka1.test:9091", "https://user@host/path", "host:9092"}) {
            assertEquals(plain, SecretText.redact(plain));
        }
    }
}
