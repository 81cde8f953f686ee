package dev.dockhand.users;

import java.util.Arrays;

/** One user of {@code users.hashed}: what verifies its password (salt, hash and its PBKDF2 rounds), never the password. */
public record Login(String name, Role role, byte[] salt, byte[] hash, int iterations) {
    @Override
    public String toString() {
        return name + " (" + role + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Login l && l.name.equals(name) && l.role == role && Arrays.equals(l.salt, salt) && Arrays.equals(l.hash, hash)
                && l.iterations == iterations;
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }
}
