package dev.styleclip.edit.mapper;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The folder names trained mappers get from their prompts (the studio's Mapper tab and {@code train-mapper}). */
class MapperPlacesTest {
    @Test
    void slugs() {
        assertEquals("a-person-with-purple-hair", MapperPlaces.slug("A person with purple hair!"));
        assertEquals("mapper", MapperPlaces.slug("!!!"));
        assertTrue(MapperPlaces.slug("x".repeat(100)).length() <= 60);
    }
}
