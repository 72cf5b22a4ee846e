DROP TABLE unsubscribe_tokens;
